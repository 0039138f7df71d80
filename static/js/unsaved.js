// Unsaved changes in POST forms, and asking before leaving them.
//
// Every form that sends a POST (a real <form method="post">, or an htmx form
// with data-hx-post) counts each edit typed into it. A form has unsaved changes
// while it has edits newer than its last successful save: a save is an htmx
// request from the form that succeeded, or an autosave (autosave.js calls
// markSavedUpTo with the edit count it sent). Leaving the page then asks
// first (beforeunload), except while that form itself is being submitted
// normally: its submission carries the edits.
//
// Offline, text that autosave.js has kept encrypted on this device
// (markKeptUpTo) does not ask: reopening the note, with or without a
// connection, brings it back (docs/architecture.md, "Offline").

const state = new WeakMap();

function stateOf(form) {
  let entry = state.get(form);
  if (!entry) {
    entry = { edits: 0, saved: 0, kept: 0, submitting: false };
    state.set(form, entry);
  }
  return entry;
}

export function isPostForm(form) {
  return (
    form instanceof HTMLFormElement && (form.method === "post" || form.hasAttribute("data-hx-post"))
  );
}

/** How many edits the form has had since the page loaded. */
export function editCount(form) {
  return stateOf(form).edits;
}

/** A save that carried the form as it was after `count` edits succeeded. */
export function markSavedUpTo(form, count) {
  const entry = stateOf(form);
  entry.saved = Math.max(entry.saved, count);
}

/** The form as it was after `count` edits is kept on this device (offline-store.js). */
export function markKeptUpTo(form, count) {
  const entry = stateOf(form);
  entry.kept = Math.max(entry.kept, count);
}

function keptOffline(form) {
  const entry = state.get(form);
  return !navigator.onLine && Boolean(entry) && entry.kept >= entry.edits;
}

export function hasUnsavedChanges(form) {
  const entry = state.get(form);
  return Boolean(entry) && entry.edits > entry.saved;
}

export function isSubmitting(form) {
  return Boolean(state.get(form)?.submitting);
}

export function markSubmitting(form) {
  stateOf(form).submitting = true;
}

export function initUnsavedWarning() {
  const record = (event) => {
    const form = event.target?.form ?? event.target?.closest?.("form");
    if (isPostForm(form)) {
      stateOf(form).edits += 1;
    }
  };
  // A <select>, a checkbox and a radio fire input too. Not `change`: a
  // textarea fires it again when focus leaves, after its text was saved.
  document.addEventListener("input", record);

  // Offline, a normal submission would replace the page with the browser's
  // error page, and the text with it: keep the page, and say so. (Capture
  // phase: before the form's own listeners think it is on its way.)
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!navigator.onLine && isPostForm(form) && !form.hasAttribute("data-hx-post")) {
        event.preventDefault();
        showOfflineNotice(form);
      }
    },
    true,
  );

  // A page answered with what was sent still in its forms (errors to fix, or
  // a conflict to resolve): that text is not saved anywhere yet.
  if (document.querySelector(".app-conflict, .nhsuk-error-summary")) {
    for (const form of document.forms) {
      if (isPostForm(form) && holdsText(form)) {
        stateOf(form).edits = 1;
      }
    }
  }

  // A submission that nothing prevented navigates: that form is on its way.
  // htmx prevents the default of the forms it sends, so those stay unsaved
  // until the request succeeds.
  document.addEventListener("submit", (event) => {
    if (!event.defaultPrevented && isPostForm(event.target)) {
      markSubmitting(event.target);
    }
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const form = formOf(event.detail?.elt);
    if (!form || !state.has(form)) {
      return;
    }
    const entry = state.get(form);
    if (event.detail.successful) {
      entry.saved = entry.sentAt ?? entry.edits;
    } else if (entry.edits > entry.saved) {
      // An answer that swaps in a new copy of the form (422 with the errors)
      // replaces this element: its replacement still holds unsaved text.
      unsavedActions.add(form.getAttribute("action"));
    }
  });
  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = formOf(event.detail?.elt);
    if (form && state.has(form)) {
      state.get(form).sentAt = state.get(form).edits;
    }
  });
  document.addEventListener("htmx:afterSettle", () => {
    if (!unsavedActions.size) {
      return;
    }
    for (const form of document.forms) {
      if (unsavedActions.has(form.getAttribute("action")) && !state.has(form)) {
        stateOf(form).edits = 1;
      }
    }
    unsavedActions.clear();
  });

  window.addEventListener("beforeunload", (event) => {
    const unsaved = [...document.forms].some(
      (form) => hasUnsavedChanges(form) && !isSubmitting(form) && !keptOffline(form),
    );
    if (unsaved) {
      event.preventDefault();
      event.returnValue = ""; // older browsers need it set to ask
    }
  });

  // Back to this page from the browser's cache: whatever was being submitted
  // is in the past, and the forms are as the person sees them again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) {
      for (const form of document.forms) {
        if (state.has(form)) {
          state.get(form).submitting = false;
        }
      }
    }
  });
}

const unsavedActions = new Set();

function holdsText(form) {
  return [...form.elements].some(
    (field) =>
      (field instanceof HTMLTextAreaElement ||
        (field instanceof HTMLInputElement && field.type === "text")) &&
      field.value.trim() !== "",
  );
}

function showOfflineNotice(form) {
  let notice = form.querySelector(".app-offline-notice");
  if (!notice) {
    notice = document.createElement("p");
    notice.className = "app-offline-notice";
    notice.setAttribute("role", "alert");
    const buttons = form.querySelector(".nhsuk-button-group, [type=submit]");
    (buttons?.parentElement ?? form).insertBefore(notice, buttons ?? null);
  }
  notice.textContent =
    "You are offline, so nothing was sent. Your text is still here: send it again " +
    "when you are connected.";
}

function formOf(element) {
  if (element instanceof HTMLFormElement) {
    return element;
  }
  return element instanceof Element ? element.closest("form") : null;
}
