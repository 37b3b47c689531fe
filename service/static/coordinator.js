/* Coordinator pages: progressive enhancement only. Every page works without this file.
 * - [data-live-check] forms: the server's rules are checked as the coordinator types (same rules as on submit);
 *   messages appear on the fields the person has already touched.
 * - [data-live-region]: the sessions table reloads itself (ETag, so unchanged tables cost a 304).
 * - form[data-confirm]: asks before an action that cannot be undone.
 * - An error summary gets the focus, so keyboard and screen-reader users land on it (else a series' dates).
 */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function showErrors(field, messages) {
    var box = document.getElementById(field.id + "-error");
    if (!box) { return; }
    box.textContent = messages.join(" ");
    field.setAttribute("aria-invalid", messages.length ? "true" : "false");
    var wrapper = field.closest(".field");
    if (wrapper) { wrapper.classList.toggle("field--error", messages.length > 0); }
  }

  function liveCheck(form) {
    var url = form.getAttribute("data-live-check");
    var summary = form.querySelector("[data-live-summary]");
    var touched = {};
    var membersTouched = false;
    var pending = null;

    var run = debounce(function () {
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin",
                   headers: { "Accept": "application/json" }, signal: pending.signal })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (result) {
          if (!result) { return; }
          var shown = 0;
          Array.prototype.forEach.call(form.elements, function (field) {
            if (!field.name || !touched[field.name]) { return; }
            var messages = result.errors[field.name] || [];
            shown += messages.length;
            showErrors(field, messages);
          });
          var membersBox = document.getElementById("members-error");
          if (membersBox && membersTouched) {
            var groupMessages = result.errors.members || [];
            membersBox.textContent = groupMessages.join(" ");
            shown += groupMessages.length;
          }
          if (summary) {
            summary.textContent = shown ? summary.getAttribute("data-problems").replace("%(count)s", shown)
                                        : summary.getAttribute("data-ok");
          }
        })
        .catch(function () { /* the server checks again on submit */ });
    }, 400);

    function touch(event) {
      var name = event.target && event.target.name;
      if (!name || name === "csrf_token") { return; }
      touched[name] = true;
      if (name.indexOf("members-") === 0) { membersTouched = true; }
      run();
    }
    form.addEventListener("input", touch);
    form.addEventListener("change", touch);
  }

  function liveRegion(region) {
    var url = region.getAttribute("data-live-region");
    var etag = null;
    function busy() {
      return region.querySelector(".is-live, [data-status=pending], [data-status=waiting], " +
                                  "[data-status=waiting_for_meeting], [data-status=sending], [data-status=updating]") !== null;
    }
    function schedule() { setTimeout(refresh, busy() ? 5000 : 30000); }
    function refresh() {
      if (document.hidden || region.contains(document.activeElement)) { schedule(); return; }
      var headers = { "Accept": "text/html" };
      if (etag) { headers["If-None-Match"] = etag; }
      fetch(url, { headers: headers, credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 200) {
            etag = response.headers.get("ETag");
            return response.text().then(function (html) { region.innerHTML = html; });
          }
          return null;
        })
        .catch(function () { /* try again later */ })
        .then(schedule);
    }
    schedule();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-live-check]"), liveCheck);
    Array.prototype.forEach.call(document.querySelectorAll("[data-live-region]"), liveRegion);
    var summary = document.querySelector("[data-error-summary]");
    // Otherwise a series' dates just shown get the focus: they are what the coordinator is asked to check.
    var preview = document.querySelector("[data-series-preview]");
    if (summary) { summary.focus(); } else if (preview) { preview.focus(); }
  });
})();

// The header's "Programme" menu (a details element) closes on Escape and on a click elsewhere, as menus do.
(function () {
  document.querySelectorAll(".nav-menu").forEach(function (menu) {
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  });
})();
