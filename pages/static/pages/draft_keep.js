// On the page that keeps an entry whose save met an ended session (signin_to_save.html): the draft of
// the form (offline.js) was marked as sent; it was not saved yet, so it stays a draft until this page's
// own form is sent. Left without signing in, the person finds the draft when they open the form again.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var storage;
  try {
    storage = window[script.dataset.storage];
  } catch (e) {
    return;
  }
  var key = script.dataset.key;
  if (!storage || !key) return;

  function mark(submitted) {
    try {
      var draft = JSON.parse(storage.getItem(key) || "null");
      if (!draft) return;
      draft.submitted = submitted;
      storage.setItem(key, JSON.stringify(draft));
    } catch (e) {
      // an unreadable draft stays as it is
    }
  }

  mark(false);
  var form = document.querySelector("form[data-signin-to-save]");
  if (form) form.addEventListener("submit", function () { mark(true); });
})();
