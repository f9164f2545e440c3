// The service worker (served at /sw.js by lms.shell): the app shell and the pages a learner has
// visited open without a connection, and courses downloaded for offline study stay usable.
//
// Caches: "shell-<version>" holds this release's static files (replaced on update, so old and
// new files never mix); "pages" the pages visited (network first, the copy when offline);
// "course-<slug>" a downloaded course, written by static/js/offline.js with the static files
// its pages use, so an update of the app never breaks a stored course.
"use strict";

const VERSION = {{ version|tojson }};
const SHELL = "shell-" + VERSION;
const PAGES = "pages";
const SHELL_URLS = {{ shell_urls|tojson }};
const OFFLINE_URL = {{ offline_url|tojson }};
// Pages kept when visited: the learner's own reading, not lists of other people.
const KEPT_PAGES = /^\/(?:$|courses\/|dictionary\/|review\/)/;

self.addEventListener("install", (event) => {
  // Fetched without cookies: the offline page is kept until the next release, on a phone
  // others may use; it must not carry the name and menu of whoever was signed in then.
  const files = SHELL_URLS.map((url) => new Request(url, { credentials: "omit" }));
  event.waitUntil(
    caches.open(SHELL).then((cache) => cache.addAll(files)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("shell-") && name !== SHELL)
          .map((name) => caches.delete(name))
      ))
      // A copy of the offline page kept by an earlier release among the visited pages may
      // name whoever was signed in; the shell's own copy names no one.
      .then(() => caches.open(PAGES))
      .then((cache) => cache.delete(OFFLINE_URL, { ignoreVary: true }))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  // Signing out: the pages kept for this person go (a downloaded course stays on purpose).
  if (event.data === "forget-pages") event.waitUntil(caches.delete(PAGES));
});

function fromAnyCache(request) {
  return caches.match(request, { ignoreVary: true });
}

async function page(request) {
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    // Not a redirect's end (a sign-in page kept under a lesson's address).
    if (response.ok && !response.redirected && KEPT_PAGES.test(url.pathname) && !url.search) {
      const copy = response.clone();
      caches.open(PAGES).then((cache) => cache.put(request, copy));
    }
    return response;
  } catch (error) {
    const kept = (await fromAnyCache(request)) || (await fromAnyCache(url.pathname));
    if (kept) return kept;
    const offline = await caches.match(OFFLINE_URL, { cacheName: SHELL, ignoreVary: true });
    return offline || Response.error();
  }
}

async function file(request) {
  const kept = await fromAnyCache(request);
  if (kept) return kept;
  const response = await fetch(request);
  const path = new URL(request.url).pathname;
  if (response.ok && path.startsWith("/static/")) {
    const copy = response.clone();
    caches.open(SHELL).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (/^\/(?:static|media)\//.test(new URL(request.url).pathname)) {
    event.respondWith(file(request));
  }
});
