// The therapist dashboard's doorbell: when a risk alert is raised for one of your patients, the
// server sends {"type": "alert"} (nothing else) and this shows a banner offering to reload.
// No health data travels over the socket; the reloaded page goes through the usual access checks.
(function () {
  "use strict";
  var script = document.currentScript;
  var text = (script && script.dataset.message) || "A new risk alert needs your attention \u2014 reload";
  var urgentText = (script && script.dataset.urgent) || text;
  var delay = 2000;

  function showBanner(urgent) {
    var existing = document.getElementById("live-alert");
    if (existing && !urgent) return;
    if (existing) existing.parentNode.removeChild(existing);
    var list = document.createElement("ul");
    list.className = "flash";
    list.id = "live-alert";
    list.setAttribute("role", "alert");
    var item = document.createElement("li");
    item.className = "error";
    var link = document.createElement("a");
    link.href = window.location.pathname + window.location.search;
    link.textContent = urgent ? urgentText : text;
    if (urgent) list.className = "flash urgent";
    item.appendChild(link);
    list.appendChild(item);
    var main = document.getElementById("main") || document.body;
    main.insertBefore(list, main.firstChild);
  }

  function connect() {
    if (!("WebSocket" in window)) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/alerts/");
    socket.onopen = function () { delay = 2000; };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && frame.type === "alert") showBanner(frame.urgent === true);
    };
    socket.onclose = function () {
      // Reconnect with backoff (a refused or dropped socket); at most once a minute.
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    };
  }

  connect();
})();
