// Every page: registers the service worker (sw.js) and keeps the outbox, the learning sent
// while offline (a lesson completed, a quiz answered, time on a lesson) until the server has it.
// Each item keeps the event id its form was given, so sending it twice counts once; items go in
// the order they were made, one at a time, so quiz attempts are scored in that order.
// Each item is its learner's (the page's data-person when it was made): it is sent only from a
// page of theirs, with that page's CSRF token (the one kept with it belonged to a session that
// may have ended offline), and waits while anyone else, or no one, is signed in.
// Without JavaScript or service workers, pages work online as before.
(function () {
  "use strict";

  var KEY = "lms-outbox";
  var COURSES = "lms-offline-courses";

  function read(key) {
    try {
      return JSON.parse(localStorage.getItem(key) || "[]");
    } catch (error) {
      return [];
    }
  }

  function write(key, value) {
    localStorage.setItem(key, JSON.stringify(value));
  }

  // Who is signed in on this page ("" on a visitor's).
  function signedIn() {
    return (document.body && document.body.dataset.person) || "";
  }

  // Items made before items had a learner are taken for whoever is signed in, as they were.
  function mine(item) {
    return !item.person || item.person === signedIn();
  }

  function showRefused() {
    var kept = read(REFUSED).filter(mine);
    if (!kept.length) return;
    var box = document.getElementById("outbox-refused") || document.createElement("div");
    box.id = "outbox-refused";
    box.className = "outbox-banner outbox-refused";
    box.setAttribute("role", "alert");
    box.textContent = "";
    var heading = document.createElement("p");
    heading.textContent = document.documentElement.lang === "en"
      ? "Sent from this device but not counted:"
      : "Đã gửi từ máy này nhưng không được tính:";
    var list = document.createElement("ul");
    kept.forEach(function (item) {
      var line = document.createElement("li");
      line.textContent = new Date(item.at).toLocaleString() + ": " + item.reason;
      list.appendChild(line);
    });
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "link-button";
    dismiss.textContent = document.documentElement.lang === "en" ? "Understood" : "Đã hiểu";
    dismiss.addEventListener("click", function () {
      write(REFUSED, read(REFUSED).filter(function (item) { return !mine(item); }));
      box.remove();
    });
    box.appendChild(heading);
    box.appendChild(list);
    box.appendChild(dismiss);
    if (!box.parentNode) {
      var main = document.getElementById("main") || document.body;
      main.insertBefore(box, main.firstChild);
    }
  }

  function banner() {
    showRefused();
    var kept = read(KEY);
    var waiting = kept.filter(mine);
    var others = kept.length - waiting.length;
    var box = document.getElementById("outbox-banner");
    if (!waiting.length && !others) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "outbox-banner";
      box.className = "outbox-banner";
      box.setAttribute("role", "status");
      var main = document.getElementById("main") || document.body;
      main.insertBefore(box, main.firstChild);
    }
    var english = document.documentElement.lang === "en";
    var lines = [];
    if (waiting.length) {
      lines.push(english
        ? waiting.length + " item(s) saved on this device, sent when the connection returns."
        : "Có " + waiting.length + " việc học đã lưu trên máy, sẽ gửi khi có mạng.");
    }
    if (others) {
      // Another learner's, or this one's on a page that names no one (the offline page).
      lines.push(english
        ? others + " item(s) saved on this device, sent once the learner who saved them is"
          + " signed in and online."
        : "Có " + others + " việc học đã lưu trên máy, sẽ gửi khi người học đã lưu chúng"
          + " đăng nhập và có mạng.");
    }
    box.textContent = lines.join(" ");
  }

  function add(url, fields, label) {
    var waiting = read(KEY);
    var id = Date.now().toString(36) + Math.random().toString(36).slice(2);
    waiting.push({
      id: id, url: url, fields: fields, label: label || "", at: new Date().toISOString(),
      person: signedIn()
    });
    write(KEY, waiting);
    banner();
  }

  var sending = false;
  var REFUSED = "lms-outbox-refused";

  function refusal(response) {
    // The reason the server gave, or null when it took the item: a 4xx, or a page whose flash
    // says it refused (a quiz that may not be sent again answers with its lesson page).
    if (response.status === 204) return Promise.resolve(null);
    var type = response.headers.get("Content-Type") || "";
    return response.text().then(function (html) {
      if (!/text\/html/.test(type)) {
        // Plain words (the time beacon's refusal: a lesson gone or retired) are the reason.
        if (response.status < 400) return null;
        return html.trim() || String(response.status);
      }
      var page = new DOMParser().parseFromString(html, "text/html");
      // A gate came back instead (base.html: signing in, a password to change, an expired
      // form token), or a visitor's page: not taken; the item waits for the next try.
      if (page.body && (page.body.hasAttribute("data-gate") || !page.body.dataset.person)) {
        throw new Error("not taken");
      }
      var error = page.querySelector(".flash-error");
      if (error) return error.textContent.trim();
      if (response.status < 400) return null;
      // An error page (a lesson retired meanwhile: not found) says what in its heading.
      var heading = page.querySelector("main h1, h1");
      if (heading) return heading.textContent.trim();
      return html.length < 300 ? html.trim() : String(response.status);
    });
  }

  function send() {
    // Not from a gate either: what it would send would come back to it.
    if (sending || !signedIn() || document.body.hasAttribute("data-gate")) {
      return Promise.resolve();
    }
    var item = read(KEY).filter(mine)[0];
    if (!item) return Promise.resolve();
    sending = true;
    var token = document.querySelector('input[name="csrf_token"]');
    var body = new FormData();
    item.fields.forEach(function (pair) {
      body.append(pair[0], pair[0] === "csrf_token" && token ? token.value : pair[1]);
    });
    // keepalive: a page being left still finishes sending (as a beacon would).
    return fetch(item.url, { method: "POST", body: body, credentials: "same-origin", keepalive: true })
      .then(function (response) {
        // Sent: whatever the server made of it, it is the server's now. A 5xx stays to be sent
        // again. One the server would not count (an attempt beyond the quiz's limit, a lesson
        // retired meanwhile) is kept on the device with the server's reason, and shown.
        if (response.status >= 500) throw new Error("server " + response.status);
        return refusal(response).then(function (reason) {
          if (reason !== null) {
            var kept = read(REFUSED);
            kept.push({ label: item.label, at: item.at, reason: reason, person: item.person });
            write(REFUSED, kept);
          }
          return response;
        });
      })
      .then(function () {
        // By its id, not its place: another page may have sent it and taken it off already.
        write(KEY, read(KEY).filter(function (other) { return other.id !== item.id; }));
        sending = false;
        banner();
        return send();
      })
      .catch(function () {
        sending = false;
      });
  }

  function reachable() {
    return fetch("/healthz", { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok; })
      .catch(function () { return false; });
  }

  function listCourses() {
    var box = document.getElementById("offline-courses");
    if (!box) return;
    var courses = read(COURSES);
    if (!courses.length) {
      box.textContent = box.dataset.empty;
      return;
    }
    var heading = document.createElement("h2");
    heading.textContent = box.dataset.heading;
    var list = document.createElement("ul");
    courses.forEach(function (course) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = course.url;
      link.textContent = course.title;
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(heading);
    box.appendChild(list);
  }

  window.lmsOutbox = { add: add, send: send, reachable: reachable, read: function () { return read(KEY); } };
  window.lmsOfflineCourses = { read: function () { return read(COURSES); }, write: function (v) { write(COURSES, v); } };

  // The learner whose pages the service worker keeps (localStorage): when someone else signs
  // in on the phone (the last one's session ended without signing out), those pages go, as
  // signing out would have done; what the last one kept in the outbox stays theirs.
  var LAST = "lms-last-person";

  function forgetOthersPages() {
    var me = signedIn();
    if (!me) return;
    var last = localStorage.getItem(LAST);
    if (!last || last === me || !("serviceWorker" in navigator)) {
      localStorage.setItem(LAST, me);
      return;
    }
    // Only from a page the server just sent: offline, a kept page (a course someone else
    // downloaded) may carry another person than whoever is using the phone.
    reachable().then(function (online) {
      var worker = navigator.serviceWorker.controller;
      if (!online || !worker) return; // the next page forgets them
      worker.postMessage("forget-pages");
      localStorage.setItem(LAST, me);
    });
  }

  function start() {
    forgetOthersPages();
    banner();
    listCourses();
    send();
    window.addEventListener("online", send);
    setInterval(function () { if (read(KEY).length) send(); }, 30000);
    document.querySelectorAll("form[data-forget-offline]").forEach(function (form) {
      form.addEventListener("submit", function () {
        if (navigator.serviceWorker && navigator.serviceWorker.controller) {
          navigator.serviceWorker.controller.postMessage("forget-pages");
        }
      });
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
