/* The console's debrief: send the answer without leaving the page, say it back, mark the chosen button. */
(function () {
  "use strict";
  var form = document.querySelector("[data-debrief]");
  if (!form || !window.fetch) { return; }
  var message = form.querySelector("[data-debrief-message]");
  var failed = form.getAttribute("data-failed") || "";

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || button.name !== "answer") { return; }
    event.preventDefault();
    var body = new FormData(form);
    body.set("answer", button.value);
    var buttons = form.querySelectorAll("button[name=answer]");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {method: "POST", body: body, headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        return response.json().then(function (data) { return {ok: response.ok, data: data}; });
      })
      .then(function (result) {
        message.textContent = result.data.message || failed;
        if (result.ok) {
          buttons.forEach(function (b) {
            var chosen = b.value === result.data.answer;
            b.setAttribute("aria-pressed", chosen ? "true" : "false");
            b.classList.toggle("button--secondary", !chosen);
          });
        }
      })
      .catch(function () { message.textContent = failed; })
      .then(function () { buttons.forEach(function (b) { b.disabled = false; }); });
  });
})();
