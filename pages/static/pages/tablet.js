// On a group tablet: back to the group's screen after the idle minutes (TABLET_IDLE_MINUTES).
// Every touch, key or scroll restarts the clock; while someone works, the page tells the server now
// and then (the connection check), so the server's own idle lock (devices/middleware.py) counts from
// the last touch too. Locking posts the lock form in the navigation with the page's address, so the
// same person comes back here after unlocking; a half-filled form waits in its draft (offline.js).
(function () {
  "use strict";
  var script = document.currentScript;
  var lockForm = document.getElementById("tablet-lock");
  if (!script || !lockForm) return;
  var idleMs = Math.max(1, Number(script.dataset.idleSeconds) || 300) * 1000;
  var checkUrl = script.dataset.checkUrl;
  var heartbeatMs = Math.max(1000, idleMs / 3);
  var timer = null;
  var lastBeat = Date.now();
  var locking = false;

  function lock() {
    if (locking) return;
    if (navigator.onLine === false) {
      // No connection to lock with: hide the page now, lock as soon as the connection is back.
      document.body.hidden = true;
      window.addEventListener("online", lock, { once: true });
      return;
    }
    locking = true;
    var next = lockForm.querySelector("input[name=next]");
    if (next) next.value = window.location.pathname + window.location.search;
    lockForm.submit();
  }

  function activity() {
    if (locking) return;
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(lock, idleMs);
    var now = Date.now();
    if (checkUrl && now - lastBeat >= heartbeatMs && navigator.onLine !== false) {
      lastBeat = now;
      fetch(checkUrl, { method: "GET", cache: "no-store", credentials: "same-origin" }).catch(function () {});
    }
  }

  ["pointerdown", "keydown", "input", "scroll", "touchstart", "wheel"].forEach(function (name) {
    window.addEventListener(name, activity, { passive: true, capture: true });
  });
  activity();
})();
