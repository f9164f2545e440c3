// Lesson pages: report time spent while the page is visible, when it is hidden or left.
// Certificates: a print button. Everything works without this file; it only makes the recorded
// study time more exact.
(function () {
  "use strict";

  // Matches MAX_SECONDS_PER_EVENT on the server, which caps it again anyway. Time counts only
  // while the page is visible: hiding the tab pauses the clock and reports what was counted.
  var MAX_SECONDS = 2 * 3600;

  function uuid4() {
    // crypto.randomUUID needs a secure context; getRandomValues works on plain http too.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function setUpPrinting() {
    var button = document.querySelector("[data-print]");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  function setUpTiming() {
    var beacon = document.getElementById("learning-beacon");
    if (!beacon || !(navigator.sendBeacon || window.lmsOutbox) || !window.FormData) return;

    var visibleSince = document.visibilityState === "visible" ? Date.now() : null;
    var unsent = 0; // milliseconds seen but not yet reported
    var reported = false; // whether this page's view has reached the server yet

    function pause() {
      if (visibleSince !== null) {
        unsent += Date.now() - visibleSince;
        visibleSince = null;
      }
    }

    function resume() {
      if (visibleSince === null) visibleSince = Date.now();
    }

    function takeSeconds() {
      pause();
      var seconds = Math.min(Math.floor(unsent / 1000), MAX_SECONDS);
      unsent = 0;
      if (document.visibilityState === "visible") resume();
      return seconds;
    }

    function send(seconds) {
      var data = new FormData();
      data.append("csrf_token", beacon.dataset.csrf);
      data.append("event_id", uuid4());
      data.append("course", beacon.dataset.course);
      data.append("lesson", beacon.dataset.lesson);
      // The page's signed stamp: the server counts no more time than the page has been open.
      data.append("opened_at", beacon.dataset.stamp);
      data.append("seconds", String(seconds));
      if (window.lmsOutbox) {
        // Kept on the device first, then sent: a page closed or a connection lost before the
        // answer leaves it there, to go with the next page (its event id makes a repeat count
        // once).
        var fields = [];
        data.forEach(function (value, name) { fields.push([name, String(value)]); });
        window.lmsOutbox.add(beacon.dataset.url, fields, "time");
        window.lmsOutbox.send();
        return;
      }
      navigator.sendBeacon(beacon.dataset.url, data);
    }

    function flush() {
      var seconds = takeSeconds();
      // A view is reported once even when it lasted under a second; then only time is.
      if (seconds > 0 || !reported) {
        send(seconds);
        reported = true;
      }
    }

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        flush();
      } else {
        resume();
      }
    });
    window.addEventListener("pagehide", flush);

    // A form sends its own time; the beacon then starts counting again from zero.
    document.querySelectorAll("form[data-learning-form]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var field = form.querySelector("input[name=seconds]");
        if (field) field.value = String(takeSeconds());
        reported = true; // the form reports the view; no beacon races it to the server
      });
    });
  }

  // Offline: a lesson completed or a quiz answered is kept on the device (pwa.js's outbox) with
  // its event id, and sent when the connection returns; online, the form goes as always.
  function setUpOffline() {
    if (!window.lmsOutbox || !window.fetch || !window.FormData) return;
    document.querySelectorAll("form[data-learning-form]").forEach(function (form) {
      var checked = false;
      form.addEventListener("submit", function (event) {
        if (checked) return;
        event.preventDefault();
        var fields = [];
        new FormData(form).forEach(function (value, name) { fields.push([name, String(value)]); });
        window.lmsOutbox.reachable().then(function (online) {
          if (online) {
            checked = true;
            form.submit(); // no second submit event: the time taken above stays in the form
            return;
          }
          window.lmsOutbox.add(form.action, fields, form.dataset.learningForm || "");
          var note = form.querySelector(".offline-note") || document.createElement("p");
          note.className = "offline-note";
          note.setAttribute("role", "status");
          note.textContent = form.dataset.offlineNote || "";
          form.appendChild(note);
        });
      });
    });
  }

  function start() {
    setUpPrinting();
    setUpTiming();
    setUpOffline();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
