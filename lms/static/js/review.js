// Spaced review by keyboard: 1-4 choose a meaning or grade oneself, Enter or Space opens the
// answer (and plays its recording). Without this script every control still works by hand.
(function () {
  "use strict";
  var card = document.querySelector("[data-review]");
  if (!card) return;
  var reveal = card.querySelector("[data-review-reveal]");
  function play() {
    var audio = card.querySelector("[data-review-audio]");
    if (audio) { var playing = audio.play(); if (playing && playing.catch) playing.catch(function () {}); }
  }
  if (reveal) {
    reveal.addEventListener("toggle", function () { if (reveal.open) play(); });
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" && target.type === "text" || target.tagName === "TEXTAREA");
    if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
    if (reveal && !reveal.open && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      reveal.open = true;
      var first = reveal.querySelector("button[data-key]");
      if (first) first.focus();
      return;
    }
    if (!/^[1-4]$/.test(event.key)) return;
    if (reveal && reveal.open) {
      var grade = reveal.querySelector('button[data-key="' + event.key + '"]');
      if (grade) { event.preventDefault(); grade.click(); }
      return;
    }
    var choice = card.querySelector("#choice-" + event.key);
    if (choice) { event.preventDefault(); choice.checked = true; choice.focus(); }
  });
})();
