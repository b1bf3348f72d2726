// Progressive enhancement for the entry form: show "how clear?" only after an atypical
// direction and the note only once the pillar is rated. The form works without this.
(function () {
  document.documentElement.classList.add("js");
  document.querySelectorAll(".pillar").forEach(function (pillar) {
    function update() {
      var chosen = pillar.querySelector("[data-kind] input:checked");
      var kind = chosen ? chosen.value : "";
      var atypical = kind === "low" || kind === "high";
      pillar.classList.toggle("is-unrated", kind === "");
      pillar.classList.toggle("is-atypical", atypical);
      if (!atypical) {
        pillar.querySelectorAll("[data-strength] input").forEach(function (input) {
          input.checked = input.value === "";
        });
      }
    }
    pillar.querySelectorAll("[data-kind] input").forEach(function (input) {
      input.addEventListener("change", update);
    });
    update();
  });
})();
