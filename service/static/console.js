/* The moderator console, live.
 *
 * The page arrives complete (it works without this script). The script then:
 * - computes, every second and from absolute UTC times, which step is running and every countdown, correcting the
 *   difference between this computer's clock and the server's;
 * - asks the server every few seconds only whether anything changed (an ETag answered 304 when nothing did), and
 *   re-reads the state when something did;
 * - sends the control forms in the background and shows the answer;
 * - runs the round table's per-person timer locally (no server round trip), with keyboard shortcuts.
 */
(function () {
  "use strict";

  var root = document.getElementById("console");
  var dataElement = document.getElementById("console-data");
  if (!root || !dataElement || !window.fetch) { return; }
  var data = JSON.parse(dataElement.textContent);
  var state = data.state;
  var clockOffset = Date.parse(state.server_now) - Date.now();
  var steps = [];
  var etag = null;
  var pollTimer = null;
  var failures = 0;
  var lastMoment = null;
  var speakers = loadSpeakers();

  function each(selector, callback, scope) {
    Array.prototype.forEach.call((scope || root).querySelectorAll(selector), callback);
  }

  function serverNow() { return Date.now() + clockOffset; }

  function parseSteps(snapshot) {
    return snapshot.steps.map(function (step) {
      return { key: step.key, due: Date.parse(step.due_at), expires: Date.parse(step.expires_at) };
    });
  }

  function momentAt(now) {
    if (state.status === "cancelled") { return { phase: "cancelled" }; }
    if (state.status === "ended" || !steps.length || steps[steps.length - 1].expires <= now) { return { phase: "over" }; }
    var current = null, next = null;
    steps.forEach(function (step) {
      if (step.due <= now) { current = step; } else if (!next) { next = step; }
    });
    if (!current) { return { phase: "before", next: next }; }
    return { phase: "running", current: current, next: next };
  }

  function pad(number) { return number < 10 ? "0" + number : String(number); }

  function countdown(milliseconds) {
    var total = Math.max(0, Math.ceil(milliseconds / 1000));
    var days = Math.floor(total / 86400);
    total -= days * 86400;
    var hours = Math.floor(total / 3600), minutes = Math.floor((total % 3600) / 60), seconds = total % 60;
    var text = (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(seconds);
    return days ? data.text.days.replace("{days}", days) + " " + text : text;
  }

  function setText(element, text) {
    if (element && element.textContent !== text) { element.textContent = text; }
  }

  /* ---- the round table's per-person timer (kept per step in this tab only) ---- */

  function loadSpeakers() {
    try { return JSON.parse(window.sessionStorage.getItem(data.storage_key)) || {}; } catch (error) { return {}; }
  }

  function saveSpeakers() {
    try { window.sessionStorage.setItem(data.storage_key, JSON.stringify(speakers)); } catch (error) { /* private mode */ }
  }

  function speakerState(step) {
    return speakers[step.key] || { index: 0, since: null };
  }

  function renderSpeakers(panel, step, now) {
    var box = panel.querySelector("[data-speakers]");
    if (!box) { return; }
    var names = box.querySelectorAll("[data-speaker-index]");
    if (!names.length) { return; }
    var current = speakerState(step);
    var index = Math.min(current.index, names.length - 1);
    var since = current.since === null ? step.due : current.since;
    var remaining = Number(box.getAttribute("data-per-person")) * 1000 - (now - since);
    box.querySelector("[data-speaker-now]").hidden = false;
    setText(box.querySelector("[data-speaker-turn]"), names[index].getAttribute("data-turn"));
    setText(box.querySelector("[data-speaker-clock]"), countdown(remaining));
    box.querySelector("[data-speaker-over]").hidden = remaining > 0;
    Array.prototype.forEach.call(names, function (item, position) {
      var speaking = position === index;
      item.classList.toggle("is-speaking", speaking);
      item.classList.toggle("is-done", position < index);
      if (speaking) { item.setAttribute("aria-current", "true"); } else { item.removeAttribute("aria-current"); }
    });
    box.querySelector('[data-speaker-action="next"]').disabled = index >= names.length - 1;
    box.querySelector('[data-speaker-action="previous"]').disabled = index <= 0;
  }

  function speakerAction(action) {
    var moment = momentAt(serverNow());
    if (moment.phase !== "running") { return; }
    var panel = root.querySelector('[data-step-panel="' + moment.current.key + '"]');
    var box = panel && panel.querySelector("[data-speakers]");
    if (!box) { return; }
    var count = box.querySelectorAll("[data-speaker-index]").length;
    if (!count) { return; }
    var current = speakerState(moment.current);
    var index = current.index;
    if (action === "next") { index = Math.min(index + 1, count - 1); }
    if (action === "previous") { index = Math.max(index - 1, 0); }
    speakers[moment.current.key] = { index: index, since: serverNow() };
    saveSpeakers();
    render();
  }

  /* ---- what the page shows at this instant ---- */

  /* The same choices as ConsoleView.controls on the server, recomputed as time passes. */
  function showControls(moment, now) {
    var running = moment.phase === "running";
    var aboutToStart = moment.phase === "before" && moment.next && moment.next.due - now <= data.soon_seconds * 1000;
    var last = steps[steps.length - 1];
    var keyMessageAhead = !!last && last.key === "key_message" && last.due > now;
    var offered = {
      start: moment.phase === "before",
      restart: running && moment.current === steps[0],
      extra_time: running || aboutToStart,
      next_step: running && !!moment.next,
      keep_end: running && state.can_keep_end,
      end: running,
      follow_up: moment.phase === "over"
    };
    each("form[data-control]", function (form) { form.hidden = !offered[form.getAttribute("data-control")]; });
    each("[data-end-option]", function (option) {
      option.hidden = (option.getAttribute("data-end-option") === "with_key_message") !== keyMessageAhead;
    });
    root.querySelector("[data-controls]").hidden = !(running || moment.phase === "before");
  }

  /* On a phone the controls are a bar kept on screen: it repeats the current step and its countdown. */
  function renderBar(moment, now) {
    var title = root.querySelector("[data-bar-title]");
    var value = root.querySelector("[data-bar-countdown]");
    if (!title || !value) { return; }
    if (moment.phase === "running") {
      var heading = root.querySelector('[data-step-panel="' + moment.current.key + '"] [data-step-title]');
      setText(title, heading ? heading.textContent : "");
      setText(value, countdown((moment.next ? moment.next.due : moment.current.expires) - now));
    } else if (moment.phase === "before" && moment.next) {
      setText(title, data.text.before);
      setText(value, countdown(moment.next.due - now));
    }
  }

  function renderEnd(moment) {
    var notice = root.querySelector("[data-end]");
    if (notice) { notice.hidden = !state.end_moved || moment.phase === "over" || moment.phase === "cancelled"; }
  }

  function announce(moment) {
    var key = moment.phase === "running" ? moment.current.key : moment.phase;
    if (lastMoment !== null && key !== lastMoment) {
      var text = "";
      if (moment.phase === "running") {
        var title = root.querySelector('[data-step-panel="' + key + '"] [data-step-title]');
        text = data.text.new_step.replace("{title}", title ? title.textContent : "");
      } else if (moment.phase === "over") {
        text = data.text.over;
      }
      setText(root.querySelector("[data-announcer]"), text);
    }
    lastMoment = key;
  }

  function render() {
    var now = serverNow();
    var moment = momentAt(now);
    root.setAttribute("data-phase", moment.phase);
    each("[data-show-phase]", function (element) {
      element.hidden = element.getAttribute("data-show-phase") !== moment.phase;
    });
    var currentKey = moment.phase === "running" ? moment.current.key : null;
    each("[data-step-panel]", function (panel) { panel.hidden = panel.getAttribute("data-step-panel") !== currentKey; });
    if (moment.phase === "before" && moment.next) {
      setText(root.querySelector('[data-countdown="start"]'), countdown(moment.next.due - now));
    }
    if (moment.phase === "running") {
      var panel = root.querySelector('[data-step-panel="' + currentKey + '"]');
      if (moment.next) { setText(panel.querySelector('[data-countdown="next"]'), countdown(moment.next.due - now)); }
      setText(panel.querySelector('[data-countdown="end"]'), countdown(moment.current.expires - now));
      renderSpeakers(panel, moment.current, now);
    }
    var passed = true;
    each("[data-step-row]", function (row) {
      var key = row.getAttribute("data-step-row");
      var isCurrent = key === currentKey;
      if (isCurrent) { passed = false; }
      row.classList.toggle("is-current", isCurrent);
      row.classList.toggle("is-done", moment.phase === "over" || (moment.phase === "running" && passed && !isCurrent));
      if (isCurrent) { row.setAttribute("aria-current", "step"); } else { row.removeAttribute("aria-current"); }
    });
    showControls(moment, now);
    renderBar(moment, now);
    renderEnd(moment);
    announce(moment);
  }

  /* ---- the state from the server ---- */

  function apply(snapshot, localMidpoint) {
    var keys = snapshot.steps.map(function (step) { return step.key; }).join(",");
    var shown = Array.prototype.map.call(root.querySelectorAll("[data-step-row]"), function (row) {
      return row.getAttribute("data-step-row");
    }).join(",");
    if (keys !== shown) { window.location.reload(); return; }  // the session was re-planned: a new page
    clockOffset = Date.parse(snapshot.server_now) - localMidpoint;
    state = snapshot;
    steps = parseSteps(snapshot);
    snapshot.steps.forEach(function (step) {
      each('[data-due-label="' + step.key + '"]', function (element) { setText(element, step.due_label); });
      each('[data-chat-label="' + step.key + '"]', function (element) {
        setText(element, step.chat_label);
        element.className = "badge badge--" + step.chat_status;
      });
    });
    each('input[name="plan_version"]', function (input) { input.value = snapshot.plan_version; });
    each("[data-end-label]", function (element) { setText(element, snapshot.ends_label); });
    each("[data-planned-end-label]", function (element) { setText(element, snapshot.planned_end_label); });
    applySpeakers(snapshot.speakers);
    render();
  }

  /* Someone joined or left: the speaking order follows at the next poll (nobody else moves). */
  function applySpeakers(list) {
    if (!list) { return; }
    each("[data-speakers]", function (box) {
      var order = box.querySelector("[data-speaker-list]");
      var shown = Array.prototype.map.call(order.children, function (item) { return item.textContent; });
      var names = list.map(function (speaker) { return speaker.name; });
      box.hidden = !list.length;
      if (shown.join("\n") === names.join("\n")) { return; }
      var speaking = speakers[box.getAttribute("data-speakers")];
      if (speaking) {
        // The person speaking keeps the floor if they are still there; otherwise the next one in order has it.
        var index = names.indexOf(shown[speaking.index]);
        if (index < 0) {
          var after = shown.slice(speaking.index + 1).map(function (name) { return names.indexOf(name); })
            .filter(function (position) { return position >= 0; });
          index = after.length ? after[0] : Math.max(names.length - 1, 0);
        }
        speaking.index = index;
        saveSpeakers();
      }
      order.textContent = "";
      list.forEach(function (speaker, position) {
        var item = document.createElement("li");
        item.setAttribute("data-speaker-index", String(position));
        item.setAttribute("data-turn", speaker.turn);
        item.textContent = speaker.name;
        order.appendChild(item);
      });
    });
  }

  function getJSON(url, headers) {
    headers.Accept = "application/json";
    return fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin" });
  }

  function refresh() {
    var sent = Date.now();
    return getJSON(data.urls.state, {}).then(function (response) {
      if (response.status === 410) { window.location.reload(); return null; }
      if (!response.ok) { throw new Error("state " + response.status); }
      var received = Date.now();
      var tag = response.headers.get("ETag");
      return response.json().then(function (snapshot) {
        apply(snapshot, (sent + received) / 2);
        etag = tag;
      });
    });
  }

  function connection(ok) {
    var notice = document.querySelector("[data-connection]");
    if (notice) { notice.hidden = ok; }
  }

  function nextPollDelay() {
    var base = data.poll_seconds * 1000;
    if (document.hidden) { base = Math.max(base, 30000); }
    if (failures) { base = Math.min(base * Math.pow(2, failures), 60000); }
    return base * (0.8 + Math.random() * 0.4);  // spread the consoles' polls apart
  }

  function schedulePoll(delay) {
    window.clearTimeout(pollTimer);
    pollTimer = window.setTimeout(poll, delay === undefined ? nextPollDelay() : delay);
  }

  function poll() {
    var headers = {};
    if (etag) { headers["If-None-Match"] = etag; }
    getJSON(data.urls.revision, headers).then(function (response) {
      if (response.status === 304) { return null; }
      if (response.status === 410) { window.location.reload(); return null; }
      if (!response.ok) { throw new Error("revision " + response.status); }
      var tag = response.headers.get("ETag");
      return response.json().then(function (body) {
        if (body.revision !== state.revision || failures) { return refresh(); }
        etag = tag;
        return null;
      });
    }).then(function () {
      failures = 0;
      connection(true);
    }, function () {
      failures += 1;
      connection(false);
    }).then(function () { schedulePoll(); });
  }

  /* ---- controls ---- */

  function showMessage(text, isError) {
    var element = root.querySelector("[data-control-message]");
    element.classList.toggle("is-error", !!isError);
    setText(element, text || "");
  }

  function enhance(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      // A button may send the form elsewhere (formaction): "post the key message and end".
      var action = event.submitter && event.submitter.hasAttribute("formaction") ? event.submitter.formAction : form.action;
      var buttons = form.querySelectorAll("button");
      Array.prototype.forEach.call(buttons, function (button) { button.disabled = true; });
      var sent = Date.now();
      fetch(action, {
        method: "POST", body: new FormData(form), credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      }).then(function (answer) {
        if (answer.body.state) { apply(answer.body.state, (sent + Date.now()) / 2); }
        var error = answer.body.error;
        showMessage(error ? (error.message || data.text.failed) : answer.body.message, !!error);
        var confirm = form.querySelector("details");
        if (confirm) { confirm.open = false; }
      }).catch(function () {
        showMessage(data.text.failed, true);
      }).then(function () {
        Array.prototype.forEach.call(buttons, function (button) { button.disabled = false; });
      });
    });
  }

  /* ---- start ---- */

  steps = parseSteps(state);
  each("[data-needs-script]", function (element) { element.hidden = false; }, document);
  each('form[data-control]:not([data-control="follow_up"])', enhance);
  each("[data-speaker-action]", function (button) {
    button.addEventListener("click", function () { speakerAction(button.getAttribute("data-speaker-action")); });
  });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) { return; }
    var key = event.key.toLowerCase();
    if (key === "r") {
      var help = document.getElementById("help");
      help.scrollIntoView({ block: "start" });
      help.focus({ preventScroll: true });
    } else if (key === "n") { speakerAction("next"); }
    else if (key === "p") { speakerAction("previous"); }
    else if (key === "t") { speakerAction("restart"); }
    else { return; }
    event.preventDefault();
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { schedulePoll(0); } });
  render();
  window.setInterval(render, 1000);
  schedulePoll();
}());
