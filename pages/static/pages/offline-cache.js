// The group tablet's pages without a connection: registers the service worker (/sw.js, see
// pages/templates/pages/sw.js) and tells it about the session; empties its cache whenever the pages
// may no longer be kept. On every page (pages/templates/pages/_offline_scripts.html), by mode:
//
//   session  a tablet session (someone unlocked a linked tablet): the worker keeps the group's day
//            view and entry forms for this person; every touch renews the session's mark, which
//            lapses after the idle minutes, like the session itself. At the idle minutes this page
//            empties the cache too, with or without a connection (tablet.js then locks).
//   tablet   a linked tablet, locked (or someone logged in with a personal session): the cache is
//            emptied; the worker stays, so a page without a connection gets our own page.
//   none     any other browser: the cache is emptied and the worker removed (say after unlinking).
//
// `window.tabletOfflineCache.ready` resolves once the worker has done what this page asked.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var mode = script.dataset.mode;
  var PREFIX = "tablet-";
  var supported = "serviceWorker" in navigator && window.isSecureContext;

  function clearCaches() {
    if (!window.caches) return Promise.resolve();
    return window.caches
      .keys()
      .then(function (keys) {
        return Promise.all(
          keys
            .filter(function (key) { return key.indexOf(PREFIX) === 0; })
            .map(function (key) { return window.caches.delete(key); })
        );
      })
      .catch(function () {});
  }

  function tell(registration, message) {
    var worker = registration && (registration.active || registration.waiting || registration.installing);
    if (!worker) return Promise.resolve();
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      var timer = window.setTimeout(resolve, 30000);
      channel.port1.onmessage = function () {
        window.clearTimeout(timer);
        resolve();
      };
      worker.postMessage(message, [channel.port2]);
    });
  }

  function register() {
    // The worker's own page speaks the language of this page.
    var url = script.dataset.worker + "?taal=" + encodeURIComponent(document.documentElement.lang || "");
    return navigator.serviceWorker.register(url, { scope: "/" });
  }

  function endSession() {
    if (!supported) return clearCaches();
    return navigator.serviceWorker
      .getRegistration("/")
      .then(function (registration) { return tell(registration, { type: "end" }); })
      .then(clearCaches, clearCaches);
  }

  var ready;
  if (!supported) {
    ready = clearCaches();
  } else if (mode === "session") {
    var user = script.dataset.user;
    var idleMs = Math.max(1, Number(script.dataset.idleSeconds) || 300) * 1000;
    var touchEvery = Math.min(10000, idleMs / 4);
    var lastTouch = Date.now();
    var idleTimer = null;
    var ended = false;

    ready = register()
      .catch(function () {}) // without a connection the worker already there answers
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        return tell(registration, { type: "session", user: user, idleMs: idleMs, manifest: script.dataset.manifest });
      })
      .catch(function () {});

    var idle = function () {
      ended = true;
      endSession();
    };
    var activity = function () {
      if (ended) return;
      if (idleTimer) window.clearTimeout(idleTimer);
      idleTimer = window.setTimeout(idle, idleMs);
      var now = Date.now();
      if (now - lastTouch >= touchEvery) {
        lastTouch = now;
        navigator.serviceWorker.ready.then(function (registration) {
          return tell(registration, { type: "touch", user: user, idleMs: idleMs });
        });
      }
    };
    ["pointerdown", "keydown", "input", "scroll", "touchstart", "wheel"].forEach(function (name) {
      window.addEventListener(name, activity, { passive: true, capture: true });
    });
    activity();
  } else if (mode === "tablet") {
    ready = register().then(endSession, endSession);
  } else {
    ready = navigator.serviceWorker
      .getRegistrations()
      .then(function (registrations) {
        return Promise.all(
          registrations.map(function (registration) {
            return tell(registration, { type: "end" }).then(function () { return registration.unregister(); });
          })
        );
      })
      .then(clearCaches, clearCaches);
  }
  window.tabletOfflineCache = { ready: ready };
})();
