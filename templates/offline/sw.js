{% autoescape off %}// The service worker (served at /sw.js by pod_site/offline.py).
//
// What it keeps, and what it never keeps (docs/security.md, "Offline"):
// - static files (CSS, the offline pages' scripts, icons) under their hashed
//   names, and two pages that hold nothing of anyone's: the offline page and
//   the editor's offline shell. They are fetched without cookies, so the server
//   renders them for nobody.
// - Nothing else. Pages are fetched from the network and never stored: every
//   page a signed-in person sees may hold note text. Only when the network
//   fails does a page request get a kept page: a note's editor gets the shell
//   (which decrypts the text waiting on this device, static/js/offline-editor.js),
//   anything else the offline page.
// Requests other than GET, and to other origins, are left to the browser.
//
// Hand-written rather than Workbox: the app has no bundler, Workbox's loader
// (workbox-sw) imports its modules by their unhashed names, which the
// fingerprinted static storage does not fit, and what is needed here is a
// precache of a fixed list and one fallback rule, which is easier to check
// line by line for the one property that matters: no page is ever stored.

const CONFIG = {{ config }};
const CACHE = `pod-offline-${CONFIG.version}`;
const CACHE_PREFIX = "pod-offline-";
const EDITOR_PATH = /^\/reflections\/(?:\d+|new)\/edit\/$/;
const PRECACHED = new Set([...CONFIG.static, CONFIG.editorShell, CONFIG.offlinePage]);

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // No cookies: the pages are rendered for nobody. "reload": not from the
      // HTTP cache, so a new version never keeps an old copy.
      await cache.addAll(
        [...PRECACHED].map((url) => new Request(url, { credentials: "omit", cache: "reload" })),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE) {
          await caches.delete(name);
        }
      }
      // Pages already open (the one that registered us) work offline too.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(request, url));
  } else if (PRECACHED.has(url.pathname) && !url.search) {
    event.respondWith(fromCache(request));
  }
});

async function navigate(request, url) {
  try {
    // Network only: whatever the page holds, it is never put in a cache.
    return await fetch(request);
  } catch {
    const kept = EDITOR_PATH.test(url.pathname) ? CONFIG.editorShell : CONFIG.offlinePage;
    const response = await caches.match(kept, { cacheName: CACHE });
    return response ?? Response.error();
  }
}

async function fromCache(request) {
  const response = await caches.match(request.url, { cacheName: CACHE });
  return response ?? fetch(request);
}
{% endautoescape %}
