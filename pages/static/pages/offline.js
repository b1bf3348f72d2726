// Entries that survive a lost connection, and drafts that survive a lock or a reload.
//
// Drafts: while someone types in the entry form (form[data-draft]) its state is kept under their user
// id and the form (new-<child> or edit-<observation>). Opening the same form again restores it, with
// the time it was last typed in and a button to discard it.
// - On a group tablet (data-tablet) drafts live in localStorage under the tablet, the person and the
//   form (draft:v2:t<tablet>:<user>:<form>): a colleague who unlocks in between neither sees nor
//   removes them, and the person finds theirs when they unlock again. They go when the person saves or
//   discards them, and when the tablet is unlinked: every page without this tablet (draft_cleanup.js
//   on the group's screen and the "not a group tablet" page, and this script) drops the drafts of
//   other tablets, and the group's screen those of people no longer in the group.
// - Elsewhere in sessionStorage (draft:v1:<user>:<form>), gone with the tab; a page opened by another
//   user drops the drafts of others.
// A draft whose save went through is removed on the next page (that is another one).
//
// Outbox: before the new-entry form (form[data-outbox]) is sent, the page asks the server whether it
// answers (/verbinding/). When it does not, the entry waits in localStorage with its submission key
// and the page says how many wait. They are sent with fetch (the same form encoding, the page's CSRF
// token, header X-Queued-Entry) when the connection returns: on the `online` event, on every page
// load, and with a growing pause between tries. The server's double-submit guard makes a resend
// safe; still, the page sends an entry only while it holds the outbox's lock (one page of the
// browser at a time), only while the entry is still in the outbox, and takes it out as soon as the
// server said it is saved. Without JavaScript the form posts as always.
//
// While anything waits, the status line names each child ("Waarneming van Sem wacht op
// verbinding") with the explanation beneath, and on the group's day view the child's row says so;
// once sent, it names the children again. A form opened from the tablet's cache (offline-cache.js)
// may carry a key already used: it gets a fresh one.
(function () {
  "use strict";
  var config = document.getElementById("offline-texts");
  if (!config) return;
  var texts = (document.getElementById("outbox-texts") || config).dataset;
  var user = config.dataset.user;
  var tablet = config.dataset.tablet || "";
  var DRAFT_PREFIX = tablet ? "draft:v2:t" + tablet + ":" : "draft:v1:";
  var TABLET_DRAFTS = "draft:v2:";
  var OUTBOX_KEY = "outbox:v1";
  var SENT_KEY = "outbox:sent:v1"; // the keys sent lately, so that no form uses one again
  var SENT_KEEP_MS = 7 * 24 * 3600 * 1000;
  var NOT_IN_DRAFT = { csrfmiddlewaretoken: true, child: true, version: true, "signin-user": true, "signin-draft": true };
  var CHECK_TIMEOUT_MS = 8000;
  var RETRY_FIRST_MS = 2000;
  var RETRY_MAX_MS = 60000;

  function store(kind) {
    try {
      var s = window[kind];
      s.setItem("offline-test", "1");
      s.removeItem("offline-test");
      return s;
    } catch (e) {
      return null; // private mode or storage switched off: the form still posts as usual
    }
  }
  var drafts = store(tablet ? "localStorage" : "sessionStorage");
  var outboxStore = store("localStorage");

  // Drafts of a tablet stay only on that tablet: on any other page, those of other tablets go.
  (function dropOtherTablets() {
    if (!outboxStore) return;
    var gone = [];
    for (var i = 0; i < outboxStore.length; i++) {
      var key = outboxStore.key(i);
      if (key && key.indexOf(TABLET_DRAFTS) === 0 && (!tablet || key.indexOf(DRAFT_PREFIX) !== 0)) gone.push(key);
    }
    gone.forEach(function (key) { outboxStore.removeItem(key); });
  })();

  function readJSON(s, key, fallback) {
    try {
      var value = s && s.getItem(key);
      return value ? JSON.parse(value) : fallback;
    } catch (e) {
      return fallback;
    }
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function plural(count, one, other, values) {
    var all = { n: String(count) };
    Object.keys(values || {}).forEach(function (k) { all[k] = values[k]; });
    return fill(count === 1 ? texts[one] : texts[other], all);
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // --- the status line ------------------------------------------------------------------------

  var statusBox = null;
  function status() {
    if (!statusBox) {
      statusBox = document.createElement("div");
      statusBox.className = "alert outbox-status";
      statusBox.setAttribute("role", "status");
      statusBox.setAttribute("tabindex", "-1");
      var main = document.getElementById("main") || document.body;
      main.insertBefore(statusBox, main.firstChild);
    }
    return statusBox;
  }

  function showStatus(kind, parts) {
    var box = status();
    box.classList.remove("alert-info", "alert-warning", "alert-success");
    box.classList.add(kind);
    box.textContent = "";
    parts.forEach(function (part, index) {
      if (index) box.appendChild(document.createTextNode(" "));
      box.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    });
    box.hidden = false;
  }

  // --- drafts -----------------------------------------------------------------------------------

  // "10:42" today, else "4 december 10:42", in the page's language.
  function when(time) {
    var moment = new Date(time || Date.now());
    var lang = document.documentElement.lang || "nl";
    var options = { hour: "2-digit", minute: "2-digit" };
    if (moment.toDateString() !== new Date().toDateString()) {
      options.day = "numeric";
      options.month = "long";
    }
    try {
      return new Intl.DateTimeFormat(lang, options).format(moment);
    } catch (e) {
      return moment.toLocaleString();
    }
  }

  function draftKey(formKey) {
    return DRAFT_PREFIX + user + ":" + formKey;
  }

  function eachDraft(callback) {
    if (!drafts) return;
    var keys = [];
    for (var i = 0; i < drafts.length; i++) {
      var key = drafts.key(i);
      if (key && key.indexOf(DRAFT_PREFIX) === 0) keys.push(key);
    }
    keys.forEach(function (key) { callback(key, readJSON(drafts, key, null)); });
  }

  function fieldsOf(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (!NOT_IN_DRAFT[name] && typeof value === "string") fields.push([name, value]);
    });
    return fields;
  }

  function saveDraft(form, extra) {
    if (!drafts) return;
    var draft = { user: user, tablet: tablet, form: form.dataset.draft, savedAt: Date.now(), fields: fieldsOf(form), submitted: false };
    Object.keys(extra || {}).forEach(function (k) { draft[k] = extra[k]; });
    drafts.setItem(draftKey(form.dataset.draft), JSON.stringify(draft));
  }

  function restore(form, fields) {
    var values = {};
    fields.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || NOT_IN_DRAFT[name] || element.type === "submit" || element.type === "button") return;
      var wanted = values[name];
      if (element.type === "radio" || element.type === "checkbox") {
        element.checked = !!wanted && wanted.indexOf(element.value) !== -1;
      } else if (wanted) {
        element.value = wanted[0];
      }
    });
    announceChange(form);
  }

  function announceChange(form) {
    // entry.js shows and hides the strength and note of each pillar on `change`.
    form.querySelectorAll("input[type=radio]:checked, input[type=checkbox]").forEach(function (input) {
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  // Leaving drafts whose save went through behind, and (not on a tablet) other users' drafts.
  function tidyDrafts(currentForm) {
    eachDraft(function (key, draft) {
      if (!draft) {
        drafts.removeItem(key);
      } else if (draft.user !== user) {
        if (!tablet) drafts.removeItem(key);
      } else if (draft.submitted && draft.form !== currentForm) {
        drafts.removeItem(key);
      }
    });
  }

  function setUpDraft(form) {
    var key = draftKey(form.dataset.draft);
    var draft = readJSON(drafts, key, null);
    if (form.dataset.bound === "1") {
      // The server sent the form back with a message: its values are the ones to keep.
      if (draft) saveDraft(form);
    } else if (draft && draft.fields && draft.fields.length) {
      restore(form, draft.fields);
      saveDraft(form, { savedAt: draft.savedAt || Date.now() });
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "btn btn-outline-primary btn-sm";
      discard.textContent = config.dataset.discard;
      discard.addEventListener("click", function () {
        drafts.removeItem(key);
        window.location.reload();
      });
      showStatus("alert-info", [fill(config.dataset.restored, { time: when(draft.savedAt) }), discard]);
    }
    if (!form.hasAttribute("data-outbox")) {
      // A change: sent now, so the next page (another one) removes the draft; a page that says it was
      // not saved yet (signin_to_save.html, draft_keep.js) keeps it.
      form.addEventListener("submit", function () { saveDraft(form, { submitted: true }); });
    }
    form.addEventListener("input", function () { saveDraft(form); });
    form.addEventListener("change", function (event) {
      if (event.isTrusted) saveDraft(form);
    });
    form.querySelectorAll("[data-draft-discard]").forEach(function (link) {
      link.addEventListener("click", function () { if (drafts) drafts.removeItem(key); });
    });
  }

  // --- the outbox -------------------------------------------------------------------------------

  function outbox() {
    return readJSON(outboxStore, OUTBOX_KEY, []);
  }

  function writeOutbox(entries) {
    if (!outboxStore) return;
    if (entries.length) outboxStore.setItem(OUTBOX_KEY, JSON.stringify(entries));
    else outboxStore.removeItem(OUTBOX_KEY);
  }

  function mine() {
    return outbox().filter(function (entry) { return entry.user === user; });
  }

  function enqueue(entry) {
    var entries = outbox().filter(function (other) { return other.key !== entry.key; });
    entries.push(entry);
    writeOutbox(entries);
  }

  function dequeue(key) {
    writeOutbox(outbox().filter(function (entry) { return entry.key !== key; }));
  }

  function block(tag, text) {
    var element = document.createElement(tag);
    element.className = "d-block";
    element.textContent = text;
    return element;
  }

  function pathOf(url) {
    try {
      return new URL(url, window.location.href).pathname;
    } catch (e) {
      return url;
    }
  }

  // The entries per child (their form's address), in the order they were saved.
  function perChild(entries) {
    var children = [];
    var byPath = {};
    entries.forEach(function (entry) {
      var path = pathOf(entry.action);
      if (!byPath[path]) {
        byPath[path] = { path: path, name: entry.child, count: 0 };
        children.push(byPath[path]);
      }
      byPath[path].count += 1;
    });
    return children;
  }

  // On the group's day view: beside each child's name, what waits for them.
  function markRows(entries) {
    var rows = document.querySelectorAll(".day-view a.row-link");
    if (!rows.length) return;
    var counts = {};
    perChild(entries).forEach(function (child) { counts[child.path] = child.count; });
    Array.prototype.forEach.call(rows, function (link) {
      var count = counts[pathOf(link.getAttribute("href"))] || 0;
      var badge = link.querySelector(".outbox-row");
      if (!count) {
        if (badge) badge.remove();
        return;
      }
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "row-line outbox-row";
        // Beneath the name and age, above the row's other lines.
        link.insertBefore(badge, link.querySelector(".row-line"));
      }
      badge.textContent = plural(count, "rowOne", "rowOther");
    });
  }

  // The status line says, while anything waits, for which children, and why it waits.
  function showWaiting() {
    var entries = mine();
    markRows(entries);
    if (!entries.length) {
      // Sent by another page of this browser: the line that said they wait goes.
      if (statusBox && statusBox.classList.contains("alert-warning") && !statusBox.querySelector("a")) {
        statusBox.hidden = true;
      }
      return;
    }
    var parts = perChild(entries).map(function (child) {
      return block("strong", plural(child.count, "waitingChildOne", "waitingChildOther", { child: child.name }));
    });
    parts.push(block("span", plural(entries.length, "keptOne", "keptOther")));
    showStatus("alert-warning", parts);
  }

  function sentKeys() {
    var now = Date.now();
    return readJSON(outboxStore, SENT_KEY, []).filter(function (sent) { return now - sent.at < SENT_KEEP_MS; });
  }

  function rememberSent(key) {
    if (!outboxStore) return;
    var kept = sentKeys().filter(function (sent) { return sent.key !== key; });
    kept.push({ key: key, at: Date.now() });
    outboxStore.setItem(SENT_KEY, JSON.stringify(kept.slice(-200)));
  }

  function keyUsed(key) {
    return outbox().some(function (entry) { return entry.key === key; }) ||
      sentKeys().some(function (sent) { return sent.key === key; });
  }

  function checkConnection() {
    if (navigator.onLine === false) return Promise.resolve(false);
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, CHECK_TIMEOUT_MS) : null;
    return fetch(config.dataset.checkUrl, {
      method: "GET",
      cache: "no-store",
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) { return response.status < 502; })
      .catch(function () { return false; })
      .finally(function () { if (timer) window.clearTimeout(timer); });
  }

  function queueForm(form) {
    var body = new URLSearchParams(new FormData(form));
    body.delete("csrfmiddlewaretoken");
    body.delete("save_next");
    body.set("save", "");
    var entry = {
      key: body.get("submission_key") || newKey(),
      user: user,
      action: form.action || window.location.href,
      body: body.toString(),
      child: form.dataset.childName || "",
      form: form.dataset.draft,
      queuedAt: Date.now(),
    };
    if (!outboxStore) return false;
    enqueue(entry);
    if (drafts) drafts.removeItem(draftKey(form.dataset.draft));
    // A fresh form for the next entry, with a key of its own.
    form.reset();
    var keyInput = form.querySelector("input[name=submission_key]");
    if (keyInput) keyInput.value = newKey();
    announceChange(form);
    showWaiting();
    status().focus();
    window.scrollTo(0, 0);
    scheduleFlush(RETRY_FIRST_MS);
    return true;
  }

  function setUpOutbox(form) {
    var passing = false;
    var busy = false;
    // The same page again from the tablet's cache, or a draft brought back: a key already queued or
    // sent would make the server take this entry for the one before.
    var keyInput = form.querySelector("input[name=submission_key]");
    if (keyInput && keyInput.value && keyUsed(keyInput.value)) keyInput.value = newKey();
    form.addEventListener("submit", function (event) {
      if (passing) {
        passing = false; // the connection answered: the form posts the ordinary way
        return;
      }
      event.preventDefault();
      if (busy) return;
      busy = true;
      var submitter = event.submitter || null;
      saveDraft(form, { submitted: true });
      checkConnection().then(function (connected) {
        busy = false;
        if (!connected && queueForm(form)) return;
        passing = true;
        if (form.requestSubmit) form.requestSubmit(submitter);
        else form.submit();
      });
    });
  }

  var flushing = false;
  var retryTimer = null;
  var retryDelay = RETRY_FIRST_MS;
  var sent = []; // what this page sent, for the message once nothing waits

  function scheduleFlush(delay) {
    if (retryTimer) window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      flush();
    }, delay);
  }

  function retryLater() {
    scheduleFlush(retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  }

  function failed(entry, errors) {
    // Back into a draft of its form, so the form opens with it; the page says so with a link.
    if (drafts) {
      var fields = [];
      new URLSearchParams(entry.body).forEach(function (value, name) {
        if (!NOT_IN_DRAFT[name] && name !== "save") fields.push([name, value]);
      });
      drafts.setItem(draftKey(entry.form), JSON.stringify({ user: user, form: entry.form, savedAt: Date.now(), fields: fields, submitted: false }));
    }
    var link = document.createElement("a");
    link.href = entry.action;
    link.textContent = config.dataset.failedLink;
    var parts = [fill(config.dataset.failed, { child: entry.child })];
    (errors || []).forEach(function (error) { parts.push(error); });
    parts.push(link);
    showStatus("alert-warning", parts);
  }

  function send(entry) {
    var body = new URLSearchParams(entry.body);
    body.set("csrfmiddlewaretoken", config.dataset.csrf);
    return fetch(entry.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      cache: "no-store",
      headers: { "X-CSRFToken": config.dataset.csrf, "X-Queued-Entry": "1", Accept: "application/json" },
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (json && response.ok) {
        return response.json().then(function (data) { return data.saved ? "sent" : "keep"; });
      }
      if (json && response.status === 422) {
        return response.json().then(function (data) {
          failed(entry, data.errors);
          return "failed";
        });
      }
      if (response.status === 404) {
        failed(entry, []);
        return "failed";
      }
      if (response.status >= 500) return "retry";
      return "keep"; // e.g. sent to the login page: it waits for the next page of this user
    });
  }

  // One page of this browser sends at a time (the Web Locks API; without it, this page alone).
  function withOutboxLock(work) {
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request("outbox:v1", { ifAvailable: true }, function (lock) {
        return lock ? work() : null; // another page is sending: it sends these too
      });
    }
    return work();
  }

  function stillWaiting(key) {
    return outbox().some(function (entry) { return entry.key === key; });
  }

  function flush() {
    if (flushing || !outboxStore) return;
    if (!mine().length) return;
    if (navigator.onLine === false) {
      showWaiting();
      return;
    }
    flushing = true;
    withOutboxLock(sendAll)
      .catch(function () {})
      .then(function () {
        flushing = false;
        afterFlush();
      });
  }

  function sendAll() {
    var entries = mine();
    var index = 0;
    var stop = false;
    function next() {
      if (stop || index >= entries.length) return Promise.resolve();
      var entry = entries[index++];
      // Sent meanwhile by another page (its lock came first): not again.
      if (!stillWaiting(entry.key)) return next();
      return send(entry)
        .then(function (outcome) {
          if (outcome === "sent") {
            dequeue(entry.key);
            rememberSent(entry.key);
            sent.push(entry);
          } else if (outcome === "failed") {
            dequeue(entry.key);
          } else if (outcome === "retry") {
            stop = true;
            retryLater();
          } else {
            stop = true;
          }
        })
        .catch(function () {
          stop = true; // no connection yet
          retryLater();
        })
        .then(next);
    }
    return next();
  }

  function afterFlush() {
    if (mine().length) {
      showWaiting();
    } else if (sent.length) {
      retryDelay = RETRY_FIRST_MS;
      markRows([]);
      if (!statusBox || !statusBox.querySelector("a")) {
        showStatus(
          "alert-success",
          perChild(sent).map(function (child) {
            return block("span", plural(child.count, "savedChildOne", "savedChildOther", { child: child.name }));
          })
        );
      }
      sent = [];
    }
  }

  // --- start ------------------------------------------------------------------------------------

  var form = document.querySelector("form[data-draft]");
  tidyDrafts(form ? form.dataset.draft : null);
  if (form && drafts) setUpDraft(form);
  if (form && form.hasAttribute("data-outbox")) setUpOutbox(form);

  showWaiting();
  window.addEventListener("online", function () {
    retryDelay = RETRY_FIRST_MS;
    flush();
  });
  window.addEventListener("offline", function () { showWaiting(); });
  window.addEventListener("storage", function (event) {
    // Another page of this browser queued or sent: the rows and the status line follow.
    if (event.key === OUTBOX_KEY && !flushing) showWaiting();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush();
  });
  flush();
})();
