/* Proposed groups: moving a person re-checks the rules at once (the server answers the proposal's new HTML).
 * Without this file the page works the same with its "check the changes" button. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("grouping-form");
    if (!form) { return; }
    var region = document.getElementById("grouping-proposal");
    var announce = document.getElementById("grouping-announce");
    var url = form.getAttribute("data-grouping-check");
    var pending = null;

    function recheck(focusName) {
      if (pending) { pending.abort(); }
      pending = new AbortController();
      var data = new FormData(form);
      data.set("action", "check");
      fetch(url, { method: "POST", body: data, credentials: "same-origin", signal: pending.signal,
                   headers: { "Accept": "text/html", "X-Fragment": "proposal" } })
        .then(function (response) { return response.ok || response.status === 422 ? response.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          region.innerHTML = html;
          var status = region.querySelector("[data-grouping-status]");
          if (announce && status) { announce.textContent = status.textContent.replace(/\s+/g, " ").trim(); }
          var again = focusName && region.querySelector("[name='" + focusName + "']");
          if (again) { again.focus(); }
        })
        .catch(function () { /* the button checks again, and accepting always does */ });
    }

    region.addEventListener("change", function (event) {
      if (event.target.hasAttribute("data-grouping-move")) { recheck(event.target.name); }
    });
  });
})();
