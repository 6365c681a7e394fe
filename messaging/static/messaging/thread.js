// Live updates for the conversation page. Message text is only ever set with textContent.
// Without this script the page still works: the form posts and the page reloads.
//
// What was typed is never lost:
// - A message goes into an outbox (localStorage, per user and conversation, so it survives a
//   reload) before the text box is cleared; it is shown at the bottom of the thread as
//   "Sending…" until the server acknowledges it, and as "Not sent yet, will retry" while it
//   cannot be sent (socket closed, server error). It is sent again, with the same client_id,
//   after every reconnect: the server stores a client_id once and answers a retry with the
//   original seq. It leaves the outbox on the ack, or when the thread shows it as stored.
// - A permanent refusal (too long, not allowed) takes it out of the outbox, says why, and puts
//   the text back into the text box.
// - Messages are shown in seq order, each once: a message is shown only when every earlier one
//   is; later ones (a live push that overtook the replay after a reconnect) wait until the gap
//   is filled, by the replay or by asking the server again.
(function () {
  "use strict";
  var list = document.getElementById("message-list");
  var form = document.getElementById("message-form");
  if (!list || !form || !window.WebSocket) { return; }
  var data = list.dataset;
  var statusLine = document.getElementById("socket-status");
  var body = form.querySelector("textarea");
  var clientIdInput = form.querySelector("input[name=client_id]");
  var storageKey = "paceway.outbox.v1:" + (data.userId || "") + ":" + (data.patientId || "");

  var ACK_TIMEOUT = 15000;   // no answer to a send: the socket is presumed dead, reconnect
  var GAP_WAIT = 1500;       // a message waiting for an earlier one: ask the server after this
  var MAX_DELAY = 30000;

  var lastSeq = 0;           // every message up to here is shown (seqs are dense)
  var held = {};             // seq -> message that came before an earlier one
  var socket = null;
  var ready = false;
  var replaying = false;     // a resume is under way: its pages fill any gap
  var attempts = 0;          // failed connection attempts since the last "ready"
  var retries = 0;           // retryable errors in a row for the outbox's head
  var inFlight = null;       // client_id of the send waiting for its answer
  var lastMarked = 0;
  var reconnectTimer = null;
  var retryTimer = null;
  var ackTimer = null;
  var gapTimer = null;
  var memoryOutbox = [];     // used when localStorage is unavailable (private mode, quota)

  Array.prototype.forEach.call(list.querySelectorAll("li[data-seq]"), function (item) {
    lastSeq = Math.max(lastSeq, parseInt(item.dataset.seq, 10) || 0);
  });
  lastSeq = Math.max(lastSeq, parseInt(data.lastSeq || "0", 10) || 0);

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(36).slice(2);
  }

  function setStatus(text) { if (statusLine) { statusLine.textContent = text || ""; } }

  // Backoff with jitter: 1, 2, 4 ... 30 s, each between half and all of it, so that every
  // client of a restarted server does not come back in the same instant.
  function backoff(n) {
    var ceiling = Math.min(MAX_DELAY, 1000 * Math.pow(2, n));
    return Math.round(ceiling * (0.5 + Math.random() / 2));
  }

  // The outbox ------------------------------------------------------------------------------------

  function validEntries(value) {
    if (!Array.isArray(value)) { return []; }
    return value.filter(function (entry) {
      return entry && typeof entry.client_id === "string" && typeof entry.body === "string";
    });
  }

  function loadOutbox() {
    try {
      var raw = window.localStorage.getItem(storageKey);
      return raw ? validEntries(JSON.parse(raw)) : [];
    } catch (e) {
      return memoryOutbox.slice();
    }
  }

  function saveOutbox(entries) {
    memoryOutbox = entries.slice();
    try {
      if (entries.length) {
        window.localStorage.setItem(storageKey, JSON.stringify(entries));
      } else {
        window.localStorage.removeItem(storageKey);
      }
    } catch (e) { /* kept in memory: survives a reconnect, not a reload */ }
  }

  function changeOutbox(change) {  // read, change, write: another tab may have changed it
    var entries = loadOutbox();
    change(entries);
    saveOutbox(entries);
    return entries;
  }

  function removeFromOutbox(clientId) {
    changeOutbox(function (entries) {
      for (var i = entries.length - 1; i >= 0; i--) {
        if (entries[i].client_id === clientId) { entries.splice(i, 1); }
      }
    });
    var item = pendingItem(clientId);
    if (item) { item.remove(); }
    if (inFlight === clientId) { settled(); }
  }

  // The thread --------------------------------------------------------------------------------------

  function pendingItem(clientId) {
    var items = list.querySelectorAll("li.pending");
    for (var i = 0; i < items.length; i++) {
      if (items[i].dataset.clientId === clientId) { return items[i]; }
    }
    return null;
  }

  function messageItem(who, mine, text) {
    var item = document.createElement("li");
    item.className = "message" + (mine ? " mine" : "");
    var meta = document.createElement("p");
    meta.className = "meta";
    var name = document.createElement("strong");
    name.textContent = who;
    meta.appendChild(name);
    var paragraph = document.createElement("p");
    paragraph.className = "body";
    paragraph.textContent = text;  // never innerHTML
    item.appendChild(meta);
    item.appendChild(paragraph);
    return item;
  }

  function show(message) {  // message.seq === lastSeq + 1
    var empty = list.querySelector(".empty");
    if (empty) { empty.remove(); }
    var item = messageItem(message.mine ? (data.you || "You") : message.sender_name, message.mine, message.body);
    item.dataset.seq = String(message.seq);
    item.dataset.clientId = message.client_id || "";
    var when = document.createElement("time");
    when.dateTime = message.created_at;
    when.textContent = " " + (message.created_local || new Date(message.created_at).toLocaleString(document.documentElement.lang || undefined));
    item.querySelector(".meta").appendChild(when);
    list.insertBefore(item, list.querySelector("li.pending"));  // stored ones above the outbox
    lastSeq = message.seq;
    if (message.mine && message.client_id) {
      removeFromOutbox(message.client_id);  // stored: whether or not its ack arrived
    }
    item.scrollIntoView({block: "nearest"});
  }

  function take(message) {
    if (!message || typeof message.seq !== "number" || message.seq <= lastSeq) { return; }
    held[message.seq] = message;
  }

  function flush() {
    var shown = false;
    while (held[lastSeq + 1]) {
      var next = held[lastSeq + 1];
      delete held[lastSeq + 1];
      show(next);
      shown = true;
    }
    Object.keys(held).forEach(function (seq) { if (Number(seq) <= lastSeq) { delete held[seq]; } });
    if (shown && !document.hidden && lastSeq > lastMarked) {
      lastMarked = lastSeq;
      send({action: "mark_read", seq: lastSeq});
    }
    watchForGap();
  }

  function awaitedSeqs() {  // acked messages of ours the thread does not show yet
    return Array.prototype.map.call(list.querySelectorAll("li.pending[data-seq]"), function (item) {
      return parseInt(item.dataset.seq, 10) || 0;
    });
  }

  function watchForGap() {
    var missing = Object.keys(held).length > 0 || awaitedSeqs().some(function (seq) { return seq > lastSeq; });
    if (!missing || gapTimer || replaying) { return; }
    gapTimer = setTimeout(function () {
      gapTimer = null;
      if (replaying || !ready) { return; }
      var stillMissing = Object.keys(held).length > 0 || awaitedSeqs().some(function (seq) { return seq > lastSeq; });
      if (stillMissing) { resume(); }
    }, GAP_WAIT);
  }

  function showPending(entry, state) {
    var item = pendingItem(entry.client_id);
    if (!item) {
      var empty = list.querySelector(".empty");
      if (empty) { empty.remove(); }
      item = messageItem(data.you || "You", true, entry.body);
      item.classList.add("pending");
      item.dataset.clientId = entry.client_id;
      var note = document.createElement("span");
      note.className = "outbox-state";
      item.querySelector(".meta").appendChild(note);
      list.appendChild(item);
      item.scrollIntoView({block: "nearest"});
    }
    var label = {sending: data.sending, retry: data.retrying, sent: data.sent}[state] || "";
    item.dataset.state = state;
    item.querySelector(".outbox-state").textContent = " " + (label || "");
    return item;
  }

  function showOutbox(state) {
    loadOutbox().forEach(function (entry) {
      var item = pendingItem(entry.client_id);
      if (!item || item.dataset.state !== "sent") { showPending(entry, state); }
    });
  }

  // The socket ------------------------------------------------------------------------------------

  function send(frame) {
    if (socket && ready) {
      try { socket.send(JSON.stringify(frame)); return true; } catch (e) { return false; }
    }
    return false;
  }

  function resume() {
    replaying = send({action: "resume", after_seq: lastSeq});
  }

  function settled() {
    inFlight = null;
    clearTimeout(ackTimer);
    ackTimer = null;
  }

  // One send at a time, oldest first: messages are stored in the order they were typed.
  function pump() {
    if (!ready || inFlight || retryTimer) { return; }
    var entries = loadOutbox();
    while (entries.length && pendingItem(entries[0].client_id) &&
           pendingItem(entries[0].client_id).dataset.state === "sent") {
      entries.shift();  // acked, waiting to be shown: nothing to send
    }
    if (!entries.length) { return; }
    var head = entries[0];
    if (!send({action: "send", client_id: head.client_id, body: head.body})) { return; }
    inFlight = head.client_id;
    showPending(head, "sending");
    ackTimer = setTimeout(function () {
      if (inFlight === head.client_id && socket) { socket.close(); }  // presumed dead: reconnect
    }, ACK_TIMEOUT);
  }

  function retryLater(delay) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () { retryTimer = null; pump(); }, delay);
  }

  function onAck(frame) {
    var clientId = frame.client_id;
    changeOutbox(function (entries) {
      for (var i = entries.length - 1; i >= 0; i--) {
        if (entries[i].client_id === clientId) { entries.splice(i, 1); }
      }
    });
    if (inFlight === clientId) { settled(); }
    retries = 0;
    if (frame.message) { take(frame.message); }
    var item = pendingItem(clientId);
    if (item && typeof frame.seq === "number" && frame.seq > lastSeq) {
      item.dataset.seq = String(frame.seq);  // stored; shown as soon as every earlier message is
      item.dataset.state = "sent";
      item.querySelector(".outbox-state").textContent = " " + (data.sent || "");
    } else if (item) {
      item.remove();  // a retry of one the thread already shows
    }
    flush();
    pump();
  }

  function onError(frame) {
    var clientId = frame.client_id;
    var entry = null;
    if (clientId) {
      loadOutbox().forEach(function (candidate) { if (candidate.client_id === clientId) { entry = candidate; } });
    }
    if (!entry) {  // not about one of our messages (e.g. a failed resume: ask again later)
      setStatus(frame.detail || "");
      if (replaying) {
        replaying = false;
        setTimeout(function () { if (ready && !replaying) { resume(); } }, backoff(1));
      }
      return;
    }
    if (inFlight === clientId) { settled(); }
    if (frame.retryable === false) {
      removeFromOutbox(clientId);
      setStatus((data.refused || "") + " " + (frame.detail || ""));
      body.value = body.value ? entry.body + "\n\n" + body.value : entry.body;
      body.focus();
      retries = 0;
      pump();
      return;
    }
    showPending(entry, "retry");
    var delay = typeof frame.retry_after === "number" ? frame.retry_after * 1000 : backoff(retries);
    retries += 1;
    retryLater(delay);
  }

  function onFrame(event) {
    var frame;
    try { frame = JSON.parse(event.data); } catch (e) { return; }
    if (frame.type === "ready") {
      ready = true;
      attempts = 0;
      setStatus("");
      resume();  // what was missed while away; live frames meanwhile wait in ``held``
      pump();
    } else if (frame.type === "messages") {
      (frame.messages || []).forEach(take);
      if (frame.replay) {
        if (frame.limited && frame.next_after_seq) {
          send({action: "resume", after_seq: Math.max(lastSeq, frame.next_after_seq)});
        } else {
          replaying = false;
        }
      }
      flush();
    } else if (frame.type === "ack") {
      onAck(frame);
    } else if (frame.type === "error") {
      onError(frame);
    }
  }

  function scheduleConnect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, backoff(attempts));
    attempts += 1;
  }

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (socket) { return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var opened = new WebSocket(scheme + window.location.host + data.socketPath);
    socket = opened;
    opened.addEventListener("message", function (event) { if (socket === opened) { onFrame(event); } });
    opened.addEventListener("close", function (event) {
      if (socket !== opened) { return; }
      ready = false;
      replaying = false;
      socket = null;
      settled();
      showOutbox("retry");
      if (event.code === 4401 || event.code === 4403 || event.code === 1008) {
        setStatus(data.offline);  // what is in the outbox is sent after the next login
        return;
      }
      scheduleConnect();
    });
  }

  form.addEventListener("submit", function (event) {
    var text = body.value;
    if (!text.trim()) { return; }  // the server says what is wrong
    event.preventDefault();
    var entry = {client_id: clientIdInput.value || newClientId(), body: text, at: Date.now()};
    changeOutbox(function (entries) { entries.push(entry); });
    showPending(entry, ready ? "sending" : "retry");
    body.value = "";  // only now that it is in the outbox
    clientIdInput.value = newClientId();
    pump();
  });

  // Another tab of the same conversation sent or queued something.
  window.addEventListener("storage", function (event) {
    if (event.key !== storageKey) { return; }
    var kept = {};
    loadOutbox().forEach(function (entry) { kept[entry.client_id] = true; });
    Array.prototype.forEach.call(list.querySelectorAll("li.pending"), function (item) {
      if (!kept[item.dataset.clientId] && item.dataset.state !== "sent") { item.remove(); }
    });
    showOutbox(ready ? "sending" : "retry");
    pump();
  });

  window.addEventListener("online", function () { if (!socket) { connect(); } });

  // What the page already shows as stored leaves the outbox; the rest waits for the socket.
  loadOutbox().forEach(function (entry) {
    if (list.querySelector('li.mine[data-seq][data-client-id="' + CSS.escape(entry.client_id) + '"]')) {
      removeFromOutbox(entry.client_id);
    } else {
      showPending(entry, "retry");
    }
  });
  connect();
})();
