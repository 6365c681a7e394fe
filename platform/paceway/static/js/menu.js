// One compact main menu on narrow screens: the links fold behind a "Menu" button. Without
// JavaScript the menu simply stays open.
(function () {
  "use strict";
  var button = document.querySelector(".menu-toggle");
  var nav = document.getElementById("main-nav");
  if (!button || !nav) { return; }
  var narrow = window.matchMedia("(max-width: 720px)");
  function apply() {
    if (narrow.matches) {
      button.hidden = false;
      nav.classList.toggle("folded", button.getAttribute("aria-expanded") !== "true");
    } else {
      button.hidden = true;
      nav.classList.remove("folded");
    }
  }
  button.addEventListener("click", function () {
    button.setAttribute("aria-expanded", button.getAttribute("aria-expanded") === "true" ? "false" : "true");
    apply();
  });
  if (narrow.addEventListener) { narrow.addEventListener("change", apply); }
  apply();
})();
