// The kick-off console's poll counts stay live while the "modalities" step is on screen (every 10 s, paused
// when the tab is hidden). Counts only: the answer never names anyone. Without JavaScript the page's own
// refresh shows the same table.
(function () {
  "use strict";
  var section = document.querySelector("[data-poll-counts]");
  if (!section) { return; }
  var rowsBody = section.querySelector("[data-poll-rows]");
  var answered = section.querySelector("[data-poll-answered]");
  var url = section.getAttribute("data-poll-counts");
  var EVERY_MS = 10000;

  function visible() {
    var panel = section.closest("[data-step-panel]");
    return !document.hidden && (!panel || !panel.hidden);
  }

  function cell(tag, text, scope) {
    var element = document.createElement(tag);
    element.textContent = String(text);
    if (scope) { element.setAttribute("scope", scope); }
    return element;
  }

  function render(poll) {
    if (!poll || !rowsBody) { return; }
    rowsBody.textContent = "";
    poll.rows.forEach(function (row) {
      var tr = document.createElement("tr");
      if (row.slot === poll.leading) { tr.className = "is-leading"; }
      tr.appendChild(cell("th", row.label, "row"));
      tr.appendChild(cell("td", row.yes));
      tr.appendChild(cell("td", row.if_need_be));
      tr.appendChild(cell("td", row.no));
      rowsBody.appendChild(tr);
    });
    if (answered) {
      answered.textContent = section.getAttribute("data-answered-text")
        .replace("{answered}", String(poll.answered)).replace("{missing}", String(poll.not_answered));
    }
  }

  function refresh() {
    if (!visible()) { return; }
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { render(data.poll); } })
      .catch(function () { /* the console's own banner reports a lost connection */ });
  }

  window.setInterval(refresh, EVERY_MS);
})();
