// Installable and usable offline (docs/architecture.md, "Offline"), on every
// page that templates/base.html renders:
// - registers the service worker (/sw.js, pod_site/offline.py), which keeps
//   static files and the two offline pages, never a page with note text;
// - checks that text kept on this device belongs to this session, and wipes
//   it otherwise, or once the session must have ended (its 12 hours or its
//   idle timeout passed, counted on this device: static/js/offline-store.js);
// - signing out wipes it too. The server's answer to the sign-out also says
//   `Clear-Site-Data: "cache", "storage"`; this covers a browser that ignores it.

import { sessionChecked, wipeAll } from "./offline-store.js";

sessionChecked();

if ("serviceWorker" in navigator) {
  // updateViaCache "none": a new version is noticed on the next page load.
  navigator.serviceWorker.register("/sw.js", { scope: "/", updateViaCache: "none" }).catch(() => {
    // Not registered (a private window, or the server unreachable): the app
    // works as before, only not offline. Nothing for the person to do.
  });
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.getAttribute("action")?.endsWith("/accounts/logout/")) {
    wipeAll();
  }
});
