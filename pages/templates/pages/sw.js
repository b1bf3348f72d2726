// The group tablet's service worker (served at /sw.js by pages/views/offline.py; registered and told
// about the session by pages/static/pages/offline-cache.js, only on a linked tablet).
//
// What it keeps: in one cache, for the person who unlocked the tablet, the group's day view, the
// entry forms of the group's children and the static files those pages use (the list comes from
// /tablet/zonder-verbinding/, which answers only a tablet session). Never notes, summaries,
// timelines or conversations: they are not on the list, and everything not on it goes to the network.
//
// When it serves from the cache: only when the network fails, and only while the session's mark in
// the cache is valid. The page sets the mark when it opens in a tablet session and renews it on
// every touch; it lapses after the tablet's idle minutes, as the session does (the worker cannot
// read the session cookie: it is HttpOnly). A lapsed mark, or a page of another person, a locked
// tablet, an unlinked device or a personal session, empties the cache.
//
// Without a connection every other page gets our own page instead of the browser's error.
"use strict";
var CONFIG = {{ config|safe }};
{% verbatim %}
var CACHE = CONFIG.cache;
var MARK = new URL("/__tablet-session__", self.location.origin).href;
var REFRESH_MS = 5 * 60 * 1000; // the kept pages are fetched again after five minutes of use
var generation = 0; // raised on "end": a fill still running stops writing
var work = Promise.resolve(); // the messages' work, one after the other

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (keys) {
        return Promise.all(
          keys
            .filter(function (key) { return key.indexOf("tablet-") === 0 && key !== CACHE; })
            .map(function (key) { return caches.delete(key); })
        );
      })
      .then(function () { return self.clients.claim(); })
  );
});

// --- the session's mark ------------------------------------------------------------------------

function readMark() {
  return caches.has(CACHE).then(function (exists) {
    if (!exists) return null;
    return caches.open(CACHE).then(function (cache) {
      return cache.match(MARK).then(function (response) { return response ? response.json() : null; });
    });
  });
}

function writeMark(cache, mark) {
  return cache.put(MARK, new Response(JSON.stringify(mark), { headers: { "Content-Type": "application/json" } }));
}

function end() {
  generation += 1;
  return caches.delete(CACHE);
}

function validMark() {
  return readMark().then(function (mark) {
    if (mark && mark.until > Date.now()) return mark;
    if (mark) return end().then(function () { return null; }); // lapsed: the session locked meanwhile
    return null;
  });
}

// --- filling the cache ---------------------------------------------------------------------------

function sameOrigin(url) {
  return new URL(url, self.location.origin).origin === self.location.origin;
}

function keep(cache, url, mine, httpCache) {
  if (mine !== generation) return Promise.resolve(null);
  // Pages always from the server; static files may come from the browser's cache (their names
  // carry their content's hash in production).
  return fetch(url, { credentials: "same-origin", cache: httpCache ? "default" : "no-store" }).then(function (response) {
    // A redirect means the session is gone (locked, logged out): nothing to keep.
    if (!response.ok || response.redirected || response.type !== "basic") return null;
    var copy = response.clone();
    if (mine !== generation) return null;
    return cache.put(url, copy).then(function () { return response; });
  });
}

function staticNamedIn(html) {
  var found = [];
  var pattern = /(?:href|src)="([^"]+)"/g;
  var match;
  while ((match = pattern.exec(html))) {
    var url = match[1].replace(/&amp;/g, "&");
    if (url.indexOf(CONFIG.staticPrefix) === 0 && sameOrigin(url)) found.push(url);
  }
  return found;
}

function fill(manifestUrl, user, idleMs, mine) {
  return fetch(manifestUrl, { credentials: "same-origin", cache: "no-store" })
    .then(function (response) {
      if (!response.ok || response.redirected) return null;
      return response.json();
    })
    .then(function (list) {
      if (!list || mine !== generation) return null;
      if (String(list.user) !== user) return end();
      return caches.open(CACHE).then(function (cache) {
        var statics = CONFIG.static.slice();
        var wanted = {};
        return list.pages
          .reduce(function (chain, url) {
            return chain.then(function () {
              return keep(cache, url, mine).then(function (response) {
                if (!response) return null;
                wanted[new URL(url, self.location.origin).href] = true;
                return response.text().then(function (html) {
                  statics = statics.concat(staticNamedIn(html));
                });
              });
            });
          }, Promise.resolve())
          .then(function () {
            var unique = statics.filter(function (url, index) { return statics.indexOf(url) === index; });
            unique.forEach(function (url) { wanted[new URL(url, self.location.origin).href] = true; });
            return Promise.all(unique.map(function (url) { return keep(cache, url, mine, true).catch(function () {}); }));
          })
          .then(function () { return cache.keys(); })
          .then(function (requests) {
            if (mine !== generation) return null;
            // A child no longer placed in the group: its form goes.
            var gone = requests.filter(function (request) { return request.url !== MARK && !wanted[request.url]; });
            return Promise.all(gone.map(function (request) { return cache.delete(request); })).then(function () {
              var home = list.pages.length ? new URL(list.pages[0], self.location.origin).href : "";
              return writeMark(cache, { user: user, until: Date.now() + idleMs, filledAt: Date.now(), home: home });
            });
          });
      });
    });
}

// --- what the pages tell the worker --------------------------------------------------------------

function session(data) {
  var user = String(data.user);
  var idleMs = Math.max(1000, Number(data.idleMs) || 300000);
  return readMark().then(function (mark) {
    if (mark && mark.user !== user) {
      return end().then(function () { return session(data); }); // another person: start afresh
    }
    return caches.open(CACHE).then(function (cache) {
      var now = Date.now();
      var filledAt = mark ? mark.filledAt : 0;
      var next = { user: user, until: now + idleMs, filledAt: filledAt, home: mark ? mark.home : "" };
      return writeMark(cache, next).then(function () {
        if (now - filledAt < REFRESH_MS || self.navigator.onLine === false) return null;
        return fill(data.manifest, user, idleMs, generation).catch(function () {}); // no connection: keep what is kept
      });
    });
  });
}

function touch(data) {
  return readMark().then(function (mark) {
    if (!mark || mark.user !== String(data.user) || mark.until <= Date.now()) return null;
    mark.until = Date.now() + Math.max(1000, Number(data.idleMs) || 300000);
    return caches.open(CACHE).then(function (cache) { return writeMark(cache, mark); });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  var step;
  if (data.type === "session") step = function () { return session(data); };
  else if (data.type === "touch") step = function () { return touch(data); };
  else if (data.type === "end") step = end;
  else return;
  if (data.type === "end") generation += 1; // stops a fill now, not after it
  work = work.then(step).catch(function () {});
  var done = work.then(function () { if (port) port.postMessage({ done: data.type }); });
  event.waitUntil(done);
});

// --- answering requests --------------------------------------------------------------------------

function offlinePage() {
  var bytes = new Uint8Array(16);
  self.crypto.getRandomValues(bytes);
  var nonce = btoa(String.fromCharCode.apply(null, bytes));
  return new Response(CONFIG.offlinePage.split(CONFIG.offlineNonce).join(nonce), {
    status: 503,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy":
        "default-src 'none'; style-src 'nonce-" + nonce + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    },
  });
}

function network(request) {
  if (self.navigator.onLine === false) return Promise.reject(new Error("offline"));
  return fetch(request);
}

function fromCache(request) {
  return validMark().then(function (mark) {
    if (!mark) return null;
    return caches.open(CACHE).then(function (cache) {
      return cache.match(request.url, { ignoreSearch: false, ignoreVary: true });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (request.method !== "GET") {
      // A form sent without a connection (say the lock button): our page, and on a lock the cache goes.
      var locking = url.pathname === CONFIG.lockUrl;
      event.respondWith(
        fetch(request).catch(function () {
          return (locking ? end() : Promise.resolve()).then(offlinePage);
        })
      );
      return;
    }
    event.respondWith(
      network(request).catch(function () {
        return fromCache(request).then(function (kept) { return kept || offlinePage(); });
      })
    );
    return;
  }
  if (request.method === "GET" && url.pathname.indexOf(CONFIG.staticPrefix) === 0) {
    event.respondWith(
      network(request).catch(function () {
        return fromCache(request).then(function (kept) { return kept || Response.error(); });
      })
    );
  }
  // Everything else (the connection check, sending what waits) goes to the network untouched.
});
{% endverbatim %}
