{% load static %}{% autoescape off %}// The service worker (served at /sw.js by pod_site/offline.py).
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
// Workbox (Google's service worker library, static/vendor/workbox/, copied from
// npm by scripts/vendor-static.sh; never from a CDN) does the caching and the
// routing. Its production builds are classic scripts: each registers itself as
// self.workbox.<module> and uses the ones before it, hence this order. They are
// imported by their hashed static names (not through workbox-sw, whose loader
// asks for unhashed names), from this origin only.
//
// Not Workbox's background sync: it would keep the requests it retries, bodies
// included (note text), in IndexedDB unencrypted, which docs/security.md
// ("Offline") forbids. Text that could not be sent is kept by our own
// static/js/offline-store.js, encrypted under a key that cannot be read out.
// For the same reason no runtime caching strategy is used here: only the fixed
// list below is ever written to a cache.

importScripts(
  "{% static 'vendor/workbox/workbox-core.prod.js' %}",
  "{% static 'vendor/workbox/workbox-routing.prod.js' %}",
  "{% static 'vendor/workbox/workbox-strategies.prod.js' %}",
  "{% static 'vendor/workbox/workbox-precaching.prod.js' %}",
);

const CONFIG = {{ config }};
const EDITOR_PATH = /^\/reflections\/(?:\d+|new)\/edit\/$/;
const { core, precaching, routing, strategies } = self.workbox;

// One cache per version (a hash of the list and of the two pages), so a new
// version fills a new cache from scratch; cleanupOutdatedCaches() deletes the
// older ones on activate (it removes "-precache-" caches of this scope). The
// entries have no revision of their own: the static names carry their hash,
// and the pages' version is the cache's, so each is kept under its plain address.
core.setCacheNameDetails({ prefix: "pod-offline", precache: `precache-${CONFIG.version}` });

// Filled once, at install, from the fixed list. No cookies: the pages are
// rendered for nobody. "reload": not from the HTTP cache, so a new version
// never keeps an old copy. (Only at install: a kept file missing later is
// fetched as the page asked for it, and not stored.)
precaching.addPlugins([
  {
    requestWillFetch: async ({ request, event }) =>
      event?.type === "install"
        ? new Request(request, { credentials: "omit", cache: "reload" })
        : request,
  },
]);

// Pages: network only. Whatever a page holds, it is never put in a cache; only
// when the network fails is a kept page the answer. Registered before the
// precache route, so that even a navigation to /offline/ goes to the network.
const pages = new routing.NavigationRoute(new strategies.NetworkOnly());
pages.setCatchHandler(async ({ url }) => {
  const kept = EDITOR_PATH.test(url.pathname) ? CONFIG.editorShell : CONFIG.offlinePage;
  const response = await precaching.matchPrecache(kept);
  return response ?? Response.error();
});
routing.registerRoute(pages);

// Other requests for a kept file, by its exact address (no query string, no
// index.html or .html guesses): from the cache, else the network. Anything else
// matches no route and is left to the browser.
precaching.precacheAndRoute(
  [...CONFIG.static, CONFIG.editorShell, CONFIG.offlinePage].map((url) => ({ url, revision: null })),
  { ignoreURLParametersMatching: [], directoryIndex: null, cleanURLs: false },
);
precaching.cleanupOutdatedCaches();

// The worker before Workbox named its caches pod-offline-<version>.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((name) => /^pod-offline-[0-9a-f]{16}$/.test(name)).map((name) => caches.delete(name)),
        ),
      ),
  );
});

// A new version takes over as soon as its cache is filled, and pages already
// open (the one that registered it) work offline too.
self.addEventListener("install", () => self.skipWaiting());
core.clientsClaim();
{% endautoescape %}
