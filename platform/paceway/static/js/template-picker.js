// Templates picked inline: the chosen template's text goes into the message box, no reload.
// Without JavaScript the picker's form reloads the page with the text filled in.
(function () {
  "use strict";
  var picker = document.getElementById("template-picker");
  var box = document.querySelector("#message-form textarea");
  if (!picker || !box) { return; }
  picker.addEventListener("submit", function (event) {
    var option = picker.querySelector("select").selectedOptions[0];
    if (!option) { return; }
    event.preventDefault();
    box.value = option.dataset.body || "";
    box.focus();
  });
})();
