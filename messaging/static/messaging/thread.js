// Live updates for the conversation page. Message text is only ever set with textContent.
// Without this script the page still works: the form posts and the page reloads.
(function () {
  "use strict";
  var list = document.getElementById("message-list");
  var form = document.getElementById("message-form");
  if (!list || !form || !window.WebSocket) { return; }
  var statusLine = document.getElementById("socket-status");
  var body = form.querySelector("textarea");
  var clientIdInput = form.querySelector("input[name=client_id]");
  var lastSeq = parseInt(list.dataset.lastSeq || "0", 10) || 0;
  var socket = null;
  var ready = false;
  var retry = 1000;
  var pending = {};

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(36).slice(2);
  }

  function setStatus(text) { if (statusLine) { statusLine.textContent = text || ""; } }

  function append(message) {
    if (message.seq <= lastSeq && list.querySelector('[data-seq="' + message.seq + '"]')) { return; }
    var empty = list.querySelector(".empty");
    if (empty) { empty.remove(); }
    var item = document.createElement("li");
    item.className = "message" + (message.mine ? " mine" : "");
    item.dataset.seq = String(message.seq);
    var meta = document.createElement("p");
    meta.className = "meta";
    var who = document.createElement("strong");
    who.textContent = message.mine ? (list.dataset.you || "You") : message.sender_name;
    var when = document.createElement("time");
    when.dateTime = message.created_at;
    when.textContent = " " + (message.created_local || new Date(message.created_at).toLocaleString());
    meta.appendChild(who);
    meta.appendChild(when);
    var text = document.createElement("p");
    text.className = "body";
    text.textContent = message.body;  // never innerHTML
    item.appendChild(meta);
    item.appendChild(text);
    list.appendChild(item);
    lastSeq = Math.max(lastSeq, message.seq);
    item.scrollIntoView({block: "nearest"});
  }

  function send(frame) {
    if (socket && ready) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function onFrame(event) {
    var frame;
    try { frame = JSON.parse(event.data); } catch (e) { return; }
    if (frame.type === "ready") {
      ready = true;
      retry = 1000;
      setStatus("");
      send({action: "resume", after_seq: lastSeq});
    } else if (frame.type === "messages") {
      (frame.messages || []).forEach(append);
      if (frame.limited && frame.next_after_seq) {
        send({action: "resume", after_seq: frame.next_after_seq});
      } else if (frame.messages && frame.messages.length && !document.hidden) {
        send({action: "mark_read", seq: lastSeq});
      }
    } else if (frame.type === "ack") {
      delete pending[frame.client_id];
      if (frame.message) { append(frame.message); }  // our own message, as stored
    } else if (frame.type === "error") {
      setStatus(frame.detail || "");
      if (frame.client_id && pending[frame.client_id] !== undefined && !body.value) {
        body.value = pending[frame.client_id];
        clientIdInput.value = frame.client_id;
        delete pending[frame.client_id];
      }
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + list.dataset.socketPath);
    socket.addEventListener("message", onFrame);
    socket.addEventListener("close", function (event) {
      ready = false;
      socket = null;
      if (event.code === 4401 || event.code === 4403 || event.code === 1008) {
        setStatus(list.dataset.offline);
        return;
      }
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }

  form.addEventListener("submit", function (event) {
    var text = body.value;
    if (!text.trim()) { return; }
    var clientId = clientIdInput.value || newClientId();
    if (send({action: "send", client_id: clientId, body: text})) {
      event.preventDefault();
      pending[clientId] = text;
      body.value = "";
      clientIdInput.value = newClientId();
    }
    // Otherwise the form posts normally (same client id, so a retry is not stored twice).
  });

  connect();
})();
