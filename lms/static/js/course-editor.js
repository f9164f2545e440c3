// Live preview in the course editor: a moment after typing stops in a file's text, the draft
// is sent to the preview address and the file is shown as learners will see it (rendered and
// sanitised by the server, as an import does). Without this script "Xem trước" does the same.
(function () {
  "use strict";
  var form = document.querySelector("form.course-editor");
  if (!form || !window.fetch || !window.FormData) return;
  var url = form.getAttribute("data-preview-url");
  var timers = {};
  function refresh(area) {
    var name = area.getAttribute("data-file");
    var box = form.querySelector('[data-preview-for="' + name.replace(/"/g, "") + '"]');
    if (!box) return;
    var data = new FormData(form);
    data.delete("media_file");
    data.set("file", name);
    box.setAttribute("aria-busy", "true");
    fetch(url, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        box.innerHTML = html;  // the server's sanitised rendering, as on the lesson page
        box.removeAttribute("aria-busy");
      })
      .catch(function () { box.removeAttribute("aria-busy"); });
  }
  form.addEventListener("input", function (event) {
    var area = event.target;
    if (!area.matches || !area.matches("textarea[data-file]")) return;
    var name = area.getAttribute("data-file");
    clearTimeout(timers[name]);
    timers[name] = setTimeout(function () { refresh(area); }, 600);
  });
})();
