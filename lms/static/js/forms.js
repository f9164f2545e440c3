// Periods: an end day before its start day is said by the end field as soon as it is typed,
// and the browser will not send the form until it is put right. The server refuses it anyway
// (each service names the field); this only says it before the surprise.
// Marked in the page: <input data-after="id-of-the-start-field" data-after-message="…">, and
// data-after-unless="id" where a choice (a preset period) makes the two days unused.
(function () {
  "use strict";

  // A day typed as yyyy-mm-dd (date pickers) or dd/mm/yyyy (typed by hand); null otherwise.
  function dayOf(text) {
    var iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (iso) return iso[1] + iso[2] + iso[3];
    var vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
    if (vn) return vn[3] + ("0" + vn[2]).slice(-2) + ("0" + vn[1]).slice(-2);
    return null;
  }

  function check(end) {
    var start = document.getElementById(end.getAttribute("data-after"));
    if (!start) return;
    var first = dayOf(start.value.trim());
    var last = dayOf(end.value.trim());
    var unless = document.getElementById(end.getAttribute("data-after-unless") || "");
    var wrong = first !== null && last !== null && last < first && !(unless && unless.value);
    var message = wrong ? end.getAttribute("data-after-message") : "";
    end.setCustomValidity(message);
    var note = document.getElementById(end.id + "-order");
    if (wrong && !note) {
      note = document.createElement("p");
      note.className = "field-error";
      note.id = end.id + "-order";
      note.setAttribute("aria-live", "polite");
      end.insertAdjacentElement("afterend", note);
      var described = end.getAttribute("aria-describedby");
      end.setAttribute("aria-describedby", (described ? described + " " : "") + note.id);
    }
    if (note) note.textContent = message;
    if (wrong || end.hasAttribute("data-invalid")) end.setAttribute("aria-invalid", "true");
    else end.removeAttribute("aria-invalid");
  }

  document.querySelectorAll("input[data-after]").forEach(function (end) {
    if (end.getAttribute("aria-invalid")) end.setAttribute("data-invalid", "");
    var start = document.getElementById(end.getAttribute("data-after"));
    var unless = document.getElementById(end.getAttribute("data-after-unless") || "");
    [end, start, unless].forEach(function (input) {
      if (!input) return;
      input.addEventListener("input", function () { check(end); });
      input.addEventListener("change", function () { check(end); });
    });
    check(end);
  });
})();
