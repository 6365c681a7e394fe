// "Listen": reads the lesson aloud with the browser's own speech synthesis (nothing leaves the
// device, no outside service). Hidden where the browser has none; the page works the same without.
(function () {
  "use strict";
  var button = document.getElementById("listen");
  var article = document.querySelector("article.prose");
  if (!button || !article || !("speechSynthesis" in window) || !window.SpeechSynthesisUtterance) { return; }
  var speaking = false;
  var startLabel = button.dataset.start || button.textContent;
  var stopLabel = button.dataset.stop || "Stop";

  function reset() {
    speaking = false;
    button.textContent = startLabel;
    button.setAttribute("aria-pressed", "false");
  }

  button.hidden = false;
  button.addEventListener("click", function () {
    if (speaking) {
      window.speechSynthesis.cancel();
      reset();
      return;
    }
    var utterance = new SpeechSynthesisUtterance(article.innerText);
    utterance.lang = article.lang || document.documentElement.lang || "en";
    utterance.onend = reset;
    utterance.onerror = reset;
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
    speaking = true;
    button.textContent = stopLabel;
    button.setAttribute("aria-pressed", "true");
  });
})();
