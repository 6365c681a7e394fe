// Offer the browser's own time zone on forms that ask for one (sign-up): only fills an empty field.
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  if (!zone) { return; }
  document.querySelectorAll("input[data-browser-zone]").forEach(function (input) {
    if (!input.value) { input.value = zone; }
  });
})();
