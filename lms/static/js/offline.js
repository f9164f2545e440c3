// The course page's "Tải về để học không cần mạng": stores the course's pages, the media they
// show and the app's static files in a cache of their own ("course-<slug>", read by sw.js), with
// its size and progress; "Xóa bản tải về" removes it. A download that fails (no room left, the
// connection lost) removes what it stored: nothing half-kept, no progress lost.
(function () {
  "use strict";

  function mb(bytes) {
    return (bytes / 1048576).toFixed(1).replace(".", document.documentElement.lang === "en" ? "." : ",");
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_all, name) { return values[name]; });
  }

  function sameOrigin(url) {
    try {
      return new URL(url, location.href).origin === location.origin;
    } catch (error) {
      return false;
    }
  }

  function setUp(box) {
    if (!("caches" in window) || !("serviceWorker" in navigator) || !window.lmsOfflineCourses) return;
    var name = "course-" + box.dataset.slug;
    var download = box.querySelector("[data-download]");
    var remove = box.querySelector("[data-remove]");
    var bar = box.querySelector("progress");
    var status = box.querySelector("[data-status]");
    box.hidden = false;

    function remember(entry) {
      var courses = window.lmsOfflineCourses.read().filter(function (c) { return c.slug !== box.dataset.slug; });
      if (entry) courses.push(entry);
      window.lmsOfflineCourses.write(courses);
    }

    function stored() {
      return window.lmsOfflineCourses.read().filter(function (c) { return c.slug === box.dataset.slug; })[0];
    }

    function showStored() {
      var entry = stored();
      caches.has(name).then(function (has) {
        if (has && entry) {
          status.textContent = fill(box.dataset.doneText, { size: mb(entry.bytes) });
          remove.hidden = false;
        } else {
          remove.hidden = true;
        }
      });
    }

    function store(cache, url) {
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error(url + ": " + response.status);
        return response.clone().blob().then(function (body) {
          return cache.put(url, response).then(function () { return { size: body.size, type: body.type, body: body }; });
        });
      });
    }

    function extras(body) {
      // Files a page shows that the package does not name (a dictionary recording, a style).
      return body.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var found = [];
        page.querySelectorAll("audio[src], source[src], img[src], link[rel=stylesheet][href], script[src]").forEach(function (el) {
          var url = el.getAttribute("src") || el.getAttribute("href");
          if (url && sameOrigin(url)) found.push(new URL(url, location.href).pathname);
        });
        return found;
      });
    }

    download.addEventListener("click", function () {
      download.disabled = true;
      status.textContent = "";
      var total = 0;
      fetch(box.dataset.offlineCourse, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("package " + response.status);
          return response.json();
        })
        .then(function (pack) {
          status.textContent = fill(box.dataset.sizeText, { size: mb(pack.total_bytes) });
          var urls = pack.pages.concat(pack.media.map(function (m) { return m.url; }));
          return caches.open(name).then(function (cache) {
            var done = 0;
            var seen = {};
            var queue = urls.slice();
            bar.hidden = false;
            function next() {
              if (!queue.length) return Promise.resolve();
              var url = queue.shift();
              if (seen[url]) return next();
              seen[url] = true;
              return store(cache, url).then(function (got) {
                total += got.size;
                done += 1;
                bar.max = done + queue.length;
                bar.value = done;
                status.textContent = fill(box.dataset.progressText, { done: done, total: done + queue.length });
                if (got.type.indexOf("text/html") === 0) {
                  return extras(got.body).then(function (more) {
                    more.forEach(function (u) { if (!seen[u]) queue.push(u); });
                  });
                }
              }).then(next);
            }
            return next();
          }).then(function () {
            remember({ slug: box.dataset.slug, title: pack.title, url: pack.pages[0], bytes: total, at: new Date().toISOString() });
          });
        })
        .then(function () {
          bar.hidden = true;
          download.disabled = false;
          showStored();
        })
        .catch(function () {
          caches.delete(name).then(function () {
            remember(null);
            bar.hidden = true;
            download.disabled = false;
            remove.hidden = true;
            status.textContent = box.dataset.failedText;
          });
        });
    });

    remove.addEventListener("click", function () {
      caches.delete(name).then(function () {
        remember(null);
        remove.hidden = true;
        status.textContent = box.dataset.removedText;
      });
    });

    showStored();
  }

  function start() {
    document.querySelectorAll("[data-offline-course]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
