// Questionnaire forms that never lose the answers (issue 15). A form marked data-submit-fallback
// is sent with fetch. A page from the server (saved, or the form again with its errors) replaces
// this one, as a normal submit would. If the server refuses for now (503, 502, 504) or cannot be
// reached, the page keeps every answer, shows the crisis resources when a risk answer is among
// them (a panel rendered into the page when it was first shown: nothing is asked of the server),
// and sends the same answers again after Retry-After seconds (with jitter), a few times, then
// offers "Try again now". No build step, no inline script (CSP): a static file.
(function () {
  "use strict";

  var AUTO_RETRIES = 5;
  var RETRY_STATUSES = [502, 503, 504];

  function riskSelected(form) {
    var inputs = form.querySelectorAll("input[data-risk-above]:checked, input[data-risk]:checked");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.hasAttribute("data-risk")) return true;
      if (Number(input.value) > Number(input.getAttribute("data-risk-above"))) return true;
    }
    return false;
  }

  function retryAfterSeconds(response) {
    var value = Number(response.headers.get("Retry-After"));
    return isFinite(value) && value > 0 ? Math.min(value, 120) : 5;
  }

  function setUp(form) {
    if (form.getAttribute("data-submit-fallback") === "ready") return;
    form.setAttribute("data-submit-fallback", "ready");
    var status = form.querySelector("[data-submit-status]");
    var crisis = form.querySelector("[data-offline-crisis]");
    var retryNow = form.querySelector("[data-retry-now]");
    var buttons = form.querySelectorAll("button[type=submit]");
    var attempts = 0;
    var timer = null;
    var sending = false;

    function say(text) {
      status.textContent = text;
      status.hidden = false;
    }

    function setSending(on) {
      sending = on;
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = on;
      retryNow.disabled = on;
    }

    function showCrisisIfRisk() {
      if (crisis && crisis.hidden && riskSelected(form)) {
        crisis.hidden = false;
        crisis.scrollIntoView({ block: "start" });
        crisis.focus();
      }
    }

    function notSaved(waitSeconds) {
      setSending(false);
      showCrisisIfRisk();
      retryNow.hidden = false;
      if (waitSeconds !== null && attempts <= AUTO_RETRIES) {
        var wait = waitSeconds + Math.random();
        say(status.getAttribute("data-msg-retrying").replace("{seconds}", String(Math.ceil(wait))));
        timer = window.setTimeout(send, wait * 1000);
      } else {
        say(status.getAttribute("data-msg-failed"));
      }
    }

    function showPage(html) {
      document.open();
      document.write(html);
      document.close();
    }

    function send() {
      if (sending) return;
      window.clearTimeout(timer);
      attempts += 1;
      setSending(true);
      say(status.getAttribute("data-msg-sending"));
      fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
      })
        .then(function (response) {
          if (RETRY_STATUSES.indexOf(response.status) !== -1) {
            notSaved(retryAfterSeconds(response));
          } else if (response.status >= 500) {
            notSaved(null); // a fault, not a refusal: the patient decides when to try again
          } else {
            return response.text().then(function (html) {
              if (response.redirected) window.history.replaceState(null, "", response.url);
              showPage(html);
            });
          }
        })
        .catch(function () {
          notSaved(Math.min(60, 5 * Math.pow(2, attempts - 1))); // offline: back off
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      attempts = 0;
      send();
    });
    retryNow.addEventListener("click", function () {
      attempts = 0;
      send();
    });
  }

  var forms = document.querySelectorAll("form[data-submit-fallback]");
  for (var i = 0; i < forms.length; i++) setUp(forms[i]);
})();
