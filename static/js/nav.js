// The navigation on a phone: one row (the name, the tablet's lock button, "Menu"), the menu's
// links behind the Menu button. Loaded in <head> without defer so the menu is folded before the
// first paint; without this script the menu simply stays open (base.html, app.css).
(function () {
  "use strict";
  document.documentElement.classList.add("nav-js");

  function setUp() {
    const toggle = document.querySelector(".app-nav-toggle");
    const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (!toggle || !menu) return;

    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    }

    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes the open menu and gives the focus back to its button.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") return;
      if (menu.contains(document.activeElement) || document.activeElement === toggle) {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
