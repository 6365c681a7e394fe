// The therapist dashboard's risk banner, live: when a risk alert is raised (or its level becomes
// known) for one of your patients, the server sends {"type": "alert", "level": "..."} (nothing
// else: no patient, no id) and this adds a line saying the level in words, in its colour, to the
// banner (role="alert"), offering to reload. The page itself lists every open alert's level.
(function () {
  "use strict";
  var script = document.currentScript;
  var data = (script && script.dataset) || {};
  var ORDER = ["high", "moderate", "low", "unscreened", "text"];
  var delay = 2000;

  function message(level) {
    var key = "level" + level.charAt(0).toUpperCase() + level.slice(1);
    return data[key] || data.levelUnscreened || "A risk alert needs your attention";
  }

  function banner() {
    var list = document.getElementById("live-alert");
    if (!list) {
      var region = document.createElement("div");
      region.className = "risk-alert";
      region.id = "live-alert-region";
      region.setAttribute("role", "alert");
      list = document.createElement("ul");
      list.className = "risk-levels";
      list.id = "live-alert";
      region.appendChild(list);
      var main = document.getElementById("main") || document.body;
      main.insertBefore(region, main.firstChild);
    }
    list.hidden = false;
    if (list.parentElement) list.parentElement.hidden = false;
    return list;
  }

  function addLine(level) {
    if (ORDER.indexOf(level) < 0) level = "unscreened";
    var list = banner();
    var item = document.createElement("li");
    item.className = "level-" + level + " live";
    item.setAttribute("data-level", level);
    var link = document.createElement("a");
    link.href = window.location.pathname + window.location.search;
    link.textContent = message(level) + " \u2014 " + (data.reload || "reload");
    item.appendChild(link);
    // Most urgent first: before the first line of a lower level.
    var before = null;
    for (var i = 0; i < list.children.length; i++) {
      var other = list.children[i].getAttribute("data-level");
      if (ORDER.indexOf(other) > ORDER.indexOf(level)) { before = list.children[i]; break; }
    }
    list.insertBefore(item, before);
  }

  function connect() {
    if (!("WebSocket" in window)) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/alerts/");
    socket.onopen = function () { delay = 2000; };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame && frame.type === "alert") addLine(typeof frame.level === "string" ? frame.level : (frame.urgent ? "high" : "unscreened"));
    };
    socket.onclose = function () {
      // Reconnect with backoff (a refused or dropped socket); at most once a minute.
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    };
  }

  connect();
})();
