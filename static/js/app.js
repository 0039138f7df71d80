// Enhancements for every page. No inline scripts anywhere (strict CSP), so the
// body classes that nhsuk-frontend's page template adds with an inline script
// are added here. A browser that runs this module supports everything
// nhsuk-frontend 10 needs, which is exactly what `nhsuk-frontend-supported`
// promises to its CSS and to initAll().
import { initAll, setFocus } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";
import { initAutosave } from "./autosave.js";
import { initSession } from "./session.js";
import { initUnsavedWarning } from "./unsaved.js";

const ERROR_SUMMARY = ".nhsuk-error-summary";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
focusErrorSummary(document);

// Content swapped in by htmx (a re-rendered form, a new list item) needs its
// components initialised, and a new error summary should take focus just as it
// does on a full page load.
document.addEventListener("htmx:load", (event) => {
  const element = event.detail?.elt;
  if (!(element instanceof Element) || element === document.body) {
    return; // the initial page load, handled above
  }
  // The swapped element may itself be a component root, and initAll() only
  // looks at descendants of its scope, so start from the parent.
  const scope = element.parentElement ?? element;
  initAll({ scope, onError: reportUnlessAlreadyInitialised });
  initAutosave(scope);
  focusErrorSummary(element);
});

function focusErrorSummary(scope) {
  const summary =
    scope instanceof Element && scope.matches(ERROR_SUMMARY)
      ? scope
      : scope.querySelector(ERROR_SUMMARY);
  // The error summary component focuses itself when it initialises; this
  // covers summaries without data-module, or ones that lost the race.
  if (summary && !summary.contains(document.activeElement)) {
    setFocus(summary);
  }
}

function reportUnlessAlreadyInitialised(error) {
  // Siblings of freshly swapped content were initialised on page load.
  if (error?.name !== "InitError") {
    console.error(error);
  }
}

// The browser keeps nothing private (docs/security.md): htmx keeps no history
// snapshots (historyCacheSize 0 in base.html), signing out clears this tab's
// storage, and a page brought back from the back/forward cache is fetched again,
// so Back after signing out shows the sign-in page, not a note.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.getAttribute("action")?.endsWith("/accounts/logout/")) {
    sessionStorage.clear();
  }
});
window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    window.location.reload();
  }
});

// A confirmation after an action that returns to a section of a long page (the
// team page's "#people", say) is shown where the page opens, just above that
// section, and takes focus so that it is read out; otherwise it sits at the top,
// thousands of pixels above what the person sees.
showMessagesAtTheSection();

function showMessagesAtTheSection() {
  const messages = document.querySelector(".app-messages");
  const id = window.location.hash ? decodeURIComponent(window.location.hash.slice(1)) : "";
  const section = id ? document.getElementById(id) : null;
  if (!messages || !section || section.closest(".app-messages")) {
    return;
  }
  section.before(messages);
  messages.setAttribute("tabindex", "-1");
  // After the browser's own move to the fragment, which comes once the page has loaded.
  window.addEventListener("load", () => messages.focus(), { once: true });
}

// Saving honestly: autosave (forms with data-autosave="<url>"), asking before
// leaving a form with unsaved changes, and signing in again in a dialog when
// the session has ended (templates/base.html, #sign-in-dialog).
initUnsavedWarning();
initSession();
initAutosave(document);
import { initSharePreview } from "./share-preview.js"; // starts itself: the share form's "They will see"
