// Drafts on a group tablet (offline.js keeps them in localStorage under draft:v2:t<tablet>:<user>:<form>)
// never outlive the tablet's link: on the group's screen the drafts of another tablet, and of people no
// longer in the group, go; on a device that is no longer a group tablet (data-tablet empty) all of them.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var storage;
  try {
    storage = window.localStorage;
  } catch (e) {
    return;
  }
  if (!storage) return;
  var tablet = script.dataset.tablet || "";
  var people = script.dataset.people !== undefined ? script.dataset.people.split(" ") : null;
  var ALL = "draft:v2:";
  var here = ALL + "t" + tablet + ":";
  var gone = [];
  for (var i = 0; i < storage.length; i++) {
    var key = storage.key(i);
    if (!key || key.indexOf(ALL) !== 0) continue;
    if (!tablet || key.indexOf(here) !== 0) {
      gone.push(key);
    } else if (people && people.indexOf(key.slice(here.length).split(":")[0]) === -1) {
      gone.push(key);
    }
  }
  gone.forEach(function (key) { storage.removeItem(key); });
})();
