// Recording in the browser (MediaRecorder, Opus in WebM or Ogg): record, stop, listen, record
// again; the recording goes into the form's file field and is sent with it. Without a
// microphone or this script, the file field alone works.
(function () {
  "use strict";
  var form = document.querySelector("[data-recorder-form]");
  if (!form || !window.MediaRecorder || !navigator.mediaDevices) return;
  var box = form.querySelector("[data-recorder]");
  var start = box.querySelector("[data-record]");
  var stop = box.querySelector("[data-stop]");
  var status = box.querySelector("[data-recorder-status]");
  var playback = box.querySelector("[data-playback]");
  var input = form.querySelector('input[type="file"][name="audio"]');
  var types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm"];
  var type = types.filter(function (t) { return MediaRecorder.isTypeSupported(t); })[0];
  if (!type || !window.DataTransfer) return;
  box.hidden = false;
  var recorder = null;
  var chunks = [];
  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      chunks = [];
      recorder = new MediaRecorder(stream, { mimeType: type });
      recorder.addEventListener("dataavailable", function (event) { chunks.push(event.data); });
      recorder.addEventListener("stop", function () {
        stream.getTracks().forEach(function (track) { track.stop(); });
        var blob = new Blob(chunks, { type: type.split(";")[0] });
        var extension = type.indexOf("ogg") >= 0 ? "ogg" : "webm";
        var file = new File([blob], "ghi-am." + extension, { type: blob.type });
        var transfer = new DataTransfer();
        transfer.items.add(file);
        input.files = transfer.files;
        playback.src = URL.createObjectURL(blob);
        playback.hidden = false;
        status.textContent = box.getAttribute("data-done");
        start.textContent = box.getAttribute("data-again");
        start.disabled = false;
        stop.disabled = true;
      });
      recorder.start();
      status.textContent = box.getAttribute("data-recording");
      start.disabled = true;
      stop.disabled = false;
      stop.focus();
    }).catch(function () {
      status.textContent = box.getAttribute("data-no-mic");
    });
  });
  stop.addEventListener("click", function () { if (recorder && recorder.state !== "inactive") recorder.stop(); });
})();
