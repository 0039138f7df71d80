// Autosave for forms with data-autosave="<url>" (templates/reflections/edit.html).
//
// The form's fields are POSTed to the URL a few seconds after typing stops and
// when focus leaves a field; the server answers JSON
// {state, message, revision, saved_at}. The status line (#autosave-status)
// says what happened in plain words, and never says "saved" unless the server
// said so for the latest text:
//
//   200 saved               "Draft saved at HH:MM." (revision updated)
//   400/409/422             "Not saved: <the server's message>", no retry until
//                           the person types again (409 conflict also offers
//                           "Compare the two versions", a normal submit)
//   401 signed_out          the sign-in dialog (session.js); saves when signed in
//   403 csrf_failed         a fresh token and one silent retry
//   anything else           "Not saved: <reason>. Trying again in N seconds."
//                           with backoff; offline waits for `online`
//
// One request at a time: edits made while one is in flight are sent after it.
//
// A note not created yet (the editor of "Write a reflection") autosaves to a
// create URL; the answer that created it carries {autosave_url, edit_url}:
// from then on the page saves there, the form posts to the edit URL, and the
// address bar shows it, so a reload finds the note. A first save sent twice
// (a retry) answers 200 "created" with the note the first one created: the
// page takes its URLs and revision and saves what it holds into it.
//
// Offline (docs/architecture.md, "Offline"): a save that cannot be sent
// (offline, the server out of reach, a server error) keeps the form's fields,
// with the revision they are based on, encrypted on this device
// (offline-store.js). Reopening the note (even offline: the service worker
// then shows the editor's shell, offline-editor.js) puts them back and sends
// them with that revision, so a change made elsewhere meanwhile is answered
// 409 and shown as a conflict, never overwritten. A save the server answered
// (saved or refused: the text is on the page) forgets them, and tells the
// store the session is alive (its idle timeout starts again); an ended session
// wipes them (the text stays on the page, for signing in again), and so does
// the store once the session must have ended (pod:offline-ended).

import { csrfToken, refreshToken, signInAgain, signInAsTheWriter } from "./session.js";
import {
  dropPending,
  keepPending,
  pageKey,
  readPending,
  sessionAnswered,
  wipeAll,
} from "./offline-store.js";
import {
  editCount,
  hasUnsavedChanges,
  isSubmitting,
  markKeptUpTo,
  markSavedUpTo,
} from "./unsaved.js";

const DEBOUNCE_MS = 3_000;
// Offline nothing is sent, so keeping the text on the device can be prompt.
const OFFLINE_DEBOUNCE_MS = 500;
const TIMEOUT_MS = 15_000;
const BACKOFF_SECONDS = [2, 4, 8, 16, 30, 60];
const OFFLINE = "Offline: will save when connected.";
const OFFLINE_KEPT = `${OFFLINE} Your text is kept on this device until then.`;
const NOT_RETRIED = new Set(["empty", "invalid", "conflict", "finished", "gone"]);

export function initAutosave(root = document) {
  for (const form of root.querySelectorAll("form[data-autosave]")) {
    // An empty data-autosave is the older htmx markup: htmx does that one.
    if (form.dataset.autosave && !form.dataset.autosaveReady) {
      form.dataset.autosaveReady = "true";
      new Autosave(form);
    }
  }
}

class Autosave {
  constructor(form) {
    this.form = form;
    this.url = form.dataset.autosave;
    this.status = form.querySelector("#autosave-status") ?? document.getElementById("autosave-status");
    this.debounceTimer = null;
    this.retryTimer = null;
    this.failures = 0;
    this.inFlight = null; // the AbortController of the request being sent
    this.queued = false; // a save was asked for while one was in flight
    this.held = false; // the server refused: wait for the person to type
    this.waitingForSignIn = false;
    this.submitter = undefined; // a submit held back until the save in flight ends
    this.submitting = false;
    this.pageKey = pageKey(); // where text that could not be sent is kept
    this.keeping = Promise.resolve();

    form.addEventListener("input", () => this.edited());
    form.addEventListener("focusout", (event) => this.focusLeft(event));
    form.addEventListener("submit", (event) => this.submitted(event));
    document.addEventListener("pod:signed-in", () => this.signedIn());
    document.addEventListener("pod:wrong-person", () => this.wrongPerson());
    window.addEventListener("online", () => this.cameOnline());
    window.addEventListener("offline", () => this.wentOffline());
    document.addEventListener("pod:offline-ended", () => this.keptEnded());
    this.restore();
  }

  edited() {
    if (this.submitting) {
      return;
    }
    // "Draft saved at" would no longer be true of what is on the page.
    if (this.status?.dataset.state === "saved") {
      this.show({ kind: "pending", text: "Changes not saved yet: saving when you pause." });
    } else if (this.status?.dataset.state === "offline") {
      // "Kept on this device" is no longer true of the newest text.
      this.show({ kind: "offline", text: OFFLINE });
    }
    this.held = false;
    clearTimeout(this.debounceTimer);
    const wait = navigator.onLine ? DEBOUNCE_MS : OFFLINE_DEBOUNCE_MS;
    this.debounceTimer = setTimeout(() => this.save(), wait);
  }

  focusLeft(event) {
    const field = event.target;
    if (!(field instanceof Element) || !field.matches("input, textarea, select")) {
      return;
    }
    // Focus moving to a submit button: that button's submission carries everything.
    if (event.relatedTarget?.matches?.("[type=submit], button:not([type])")) {
      return;
    }
    // Focus moving to the status line's own button ("Sign in again").
    if (this.status?.contains(event.relatedTarget)) {
      return;
    }
    if (hasUnsavedChanges(this.form) && !this.held) {
      this.save();
    }
  }

  submitted(event) {
    if (event.defaultPrevented) {
      return;
    }
    if (this.inFlight) {
      // The save in flight will raise the revision; a submission based on the
      // old one would be refused as a conflict with this very tab. Send it
      // when the save has answered.
      event.preventDefault();
      this.submitter = event.submitter ?? null;
      return;
    }
    this.submitting = true;
    this.clearTimers();
  }

  signedIn() {
    if (this.waitingForSignIn || hasUnsavedChanges(this.form)) {
      this.waitingForSignIn = false;
      this.failures = 0;
      this.save();
    }
  }

  wrongPerson() {
    this.clearTimers();
    this.wipeKept();
    this.held = true;
    this.waitingForSignIn = true;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "app-button-link app-autosave-status__action";
    button.textContent = "Sign in as the person who wrote it";
    button.addEventListener("click", () => signInAsTheWriter());
    this.show({
      kind: "not-saved",
      lead: "Not saved:",
      text: "you signed in as a different person, and this text is not theirs. It is still here.",
      action: button,
    });
  }

  cameOnline() {
    if (hasUnsavedChanges(this.form) && !this.held && !this.waitingForSignIn) {
      this.failures = 0;
      this.save();
    }
  }

  keptEnded() {
    // The store wiped what it kept: the session must have ended. The text is
    // still on this page; "kept on this device" is no longer true.
    if (this.status?.dataset.state === "offline") {
      this.show({ kind: "offline", text: OFFLINE });
    }
  }

  wentOffline() {
    if (hasUnsavedChanges(this.form) && !this.held && !this.waitingForSignIn) {
      this.show({ kind: "offline", text: OFFLINE });
    }
  }

  clearTimers() {
    clearTimeout(this.debounceTimer);
    clearTimeout(this.retryTimer);
    this.debounceTimer = this.retryTimer = null;
  }

  async save({ csrfRetried = false } = {}) {
    if (this.submitting || isSubmitting(this.form)) {
      return;
    }
    if (this.inFlight) {
      this.queued = true;
      return;
    }
    this.clearTimers();
    if (!hasUnsavedChanges(this.form)) {
      return;
    }
    if (!navigator.onLine) {
      this.keep();
      this.show({ kind: "offline", text: OFFLINE });
      return;
    }

    const sentAt = editCount(this.form);
    const body = new FormData(this.form);
    body.delete("action");
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), TIMEOUT_MS);
    this.inFlight = controller;
    // Still signed out as far as this page knows: the status line keeps
    // saying so (and keeps its button) until a save goes through.
    if (!csrfRetried && !this.waitingForSignIn) {
      this.showSaving();
    }

    let outcome;
    try {
      const response = await fetch(this.url, {
        method: "POST",
        body,
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken(this.form) },
        credentials: "same-origin",
        cache: "no-store",
        signal: controller.signal,
      });
      outcome = await readAnswer(response);
    } catch {
      outcome = { failure: controller.signal.aborted ? "timeout" : "network" };
    } finally {
      clearTimeout(timeout);
      this.inFlight = null;
    }

    const next = await this.handle(outcome, sentAt, csrfRetried);
    if (next === "retry") {
      // One silent retry with the fresh token; a waiting submission waits on.
      return this.save({ csrfRetried: true });
    }

    if (this.submitter !== undefined) {
      // A submission waited for this save: send it now, with the new revision.
      const submitter = this.submitter;
      this.submitter = undefined;
      this.queued = false;
      this.clearTimers();
      if (submitter && submitter.form === this.form) {
        this.form.requestSubmit(submitter);
      } else {
        this.form.requestSubmit();
      }
      return;
    }
    if (this.queued) {
      this.queued = false;
      if (!this.held && !this.waitingForSignIn && !this.retryTimer) {
        this.save();
      }
    }
  }

  async handle(outcome, sentAt, csrfRetried) {
    const { status, data, csrfFailed, failure } = outcome;
    const state = data?.state;
    this.waitingForSignIn = false; // until this answer says so again
    // Answered by the editor's own view (saved, created, or refused): only a
    // signed-in session gets there, so it is alive now.
    if (data && status !== 401 && state !== "signed_out" && (status === 200 || NOT_RETRIED.has(state))) {
      sessionAnswered();
    }

    if (status === 200 && state === "created") {
      // Created by an earlier send of this first save: save into that note.
      this.failures = 0;
      this.adopt(data);
      this.setRevision(data.revision);
      this.queued = true;
      return;
    }
    if (status === 200 && state === "saved") {
      this.failures = 0;
      this.adopt(data);
      this.setRevision(data.revision);
      markSavedUpTo(this.form, sentAt);
      if (hasUnsavedChanges(this.form)) {
        // Typed since this save was sent: that text is not saved yet.
        this.queued = true;
      } else {
        this.forgetKept();
        this.showSaved(data.saved_at);
      }
      return;
    }
    if (status === 401 || state === "signed_out") {
      this.signedOut();
      return;
    }
    if (status === 403 && (csrfFailed || state === "csrf_failed") && !csrfRetried) {
      const answer = await refreshToken();
      if (answer && answer.signed_in === false) {
        this.signedOut();
        return;
      }
      if (answer) {
        return "retry";
      }
    }
    if (data && NOT_RETRIED.has(state) && [400, 409, 422].includes(status)) {
      this.adopt(data);
      this.held = true;
      this.queued = false;
      // Answered: the text and the reason are on the page now.
      this.forgetKept();
      this.showRefused(state, data.message);
      return;
    }
    this.retryLater(reasonFor(status, data, failure));
  }

  signedOut() {
    // The session has ended: nothing of it stays in the browser's storage.
    // The text stays on this page, and is saved after signing in again.
    this.wipeKept();
    this.waitingForSignIn = true;
    this.queued = false;
    this.showSignedOut();
    signInAgain(null, { unlessClosed: true });
  }

  retryLater(reason) {
    this.keep();
    if (!navigator.onLine) {
      this.show({ kind: "offline", text: OFFLINE });
      return;
    }
    const seconds = BACKOFF_SECONDS[Math.min(this.failures, BACKOFF_SECONDS.length - 1)];
    this.failures += 1;
    this.queued = false;
    this.show({
      kind: "not-saved",
      lead: "Not saved:",
      text: ` ${reason}. Trying again in ${seconds} seconds.`,
    });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.save();
    }, seconds * 1000);
  }

  adopt(data) {
    // The note this page writes exists now (its first save created it).
    const url = data?.autosave_url;
    if (typeof url !== "string" || !url || url === this.url) {
      return;
    }
    this.url = url;
    this.form.dataset.autosave = url;
    if (typeof data.edit_url === "string" && data.edit_url) {
      this.form.action = data.edit_url;
      history.replaceState(history.state, "", data.edit_url);
      // Kept text now belongs at the note's own address.
      this.forgetKept();
      this.pageKey = pageKey();
    }
  }

  // Text kept on this device while it cannot be sent (offline-store.js)

  keep() {
    const form = this.form;
    const count = editCount(form);
    const fields = [...new FormData(form).entries()].filter(
      ([name, value]) =>
        name !== "csrfmiddlewaretoken" && name !== "action" && typeof value === "string",
    );
    const payload = {
      autosave: this.url,
      revision: form.elements.namedItem("revision")?.value ?? "",
      title: document.querySelector("h1")?.textContent.trim() ?? "",
      fields,
      labels: labelsOf(form),
    };
    const key = this.pageKey;
    // One at a time, in order: an older copy never lands after a newer one.
    this.keeping = this.keeping
      .then(() => keepPending(key, payload))
      .then((kept) => {
        if (!kept) {
          return;
        }
        markKeptUpTo(form, count);
        // Say so only while it is true: offline, and nothing typed since.
        const stillOffline = !navigator.onLine && this.status?.dataset.state === "offline";
        if (stillOffline && editCount(form) === count) {
          this.show({ kind: "offline", text: OFFLINE_KEPT });
        }
      })
      .catch(() => {});
    return this.keeping;
  }

  forgetKept() {
    const key = this.pageKey;
    this.keeping = this.keeping.then(() => dropPending(key)).catch(() => {});
  }

  wipeKept() {
    this.keeping = this.keeping.then(() => wipeAll()).catch(() => {});
  }

  async restore() {
    // A page that answers a save (a conflict, errors to fix) shows what was
    // sent: that is the text to keep, not an older copy.
    if (document.querySelector(".app-conflict, .nhsuk-error-summary")) {
      return;
    }
    const kept = await readPending(this.pageKey).catch(() => null);
    if (!kept || kept.autosave !== this.url || !Array.isArray(kept.fields)) {
      return;
    }
    const form = this.form;
    let changed = null;
    for (const field of form.elements) {
      if (!field.name || ["csrfmiddlewaretoken", "action", "revision"].includes(field.name)) {
        continue;
      }
      const values = kept.fields.filter(([name]) => name === field.name).map(([, value]) => value);
      if (field.type === "checkbox" || field.type === "radio") {
        const checked = values.includes(field.value);
        if (field.checked !== checked) {
          field.checked = checked;
          changed ??= field;
        }
      } else if (field.type !== "submit" && field.type !== "button" && values.length) {
        if (field.value !== values[0]) {
          field.value = values[0];
          changed ??= field;
        }
      }
    }
    // The revision the kept text was based on: if the note changed since,
    // the server answers 409 and the page shows both versions.
    const revision = form.elements.namedItem("revision");
    if (revision instanceof HTMLInputElement && kept.revision) {
      revision.value = kept.revision;
    }
    if (!changed) {
      this.forgetKept(); // the page already has it
      return;
    }
    // An edit, as far as unsaved.js and this autosave are concerned.
    changed.dispatchEvent(new Event("input", { bubbles: true }));
    if (navigator.onLine) {
      this.save();
    } else {
      this.show({ kind: "offline", text: OFFLINE });
    }
  }

  setRevision(revision) {
    const input = this.form.elements.namedItem("revision");
    if (input instanceof HTMLInputElement && Number.isInteger(revision)) {
      input.value = String(revision);
    }
  }

  // The status line

  showSaving() {
    this.show({ kind: "saving", text: "Saving…" });
  }

  showSaved(savedAt) {
    const time = typeof savedAt === "string" && savedAt ? savedAt : clockNow();
    this.show({ kind: "saved", text: `Draft saved at ${time}.` });
  }

  showSignedOut() {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "app-button-link app-autosave-status__action";
    button.textContent = "Sign in again";
    button.addEventListener("click", () => signInAgain());
    this.show({
      kind: "not-saved",
      lead: "Not saved:",
      text: " you have been signed out. Your text is still on this page. ",
      action: button,
    });
  }

  showRefused(state, message) {
    // The server's message may start with "Not saved" itself: say it once.
    const words = withFullStop(message || fallbackMessage(state));
    const said = /^(not saved(?: yet)?[:.])\s*(.*)$/is.exec(words);
    const lead = said ? said[1].replace(/\.$/, ":") : "Not saved:";
    const text = ` ${said ? said[2] : words}`;
    let action = null;
    if (state === "conflict") {
      // A normal submission of the form, answered by a page with both versions.
      action = document.createElement("button");
      action.type = "submit";
      action.name = "action";
      action.value = "save";
      action.className = "nhsuk-button nhsuk-button--secondary app-autosave-status__compare";
      action.textContent = "Compare the two versions";
    }
    this.show({ kind: "not-saved", lead, text, action });
  }

  show({ kind, lead = "", text, action = null }) {
    const status = this.status;
    if (!status) {
      return;
    }
    // Rewriting the same words would make some screen readers say them again,
    // and would replace a button the person may be pressing.
    const said = `${kind}|${lead}${text}|${action?.textContent ?? ""}`;
    if (this.said === said) {
      return;
    }
    this.said = said;
    status.dataset.state = kind;
    status.classList.toggle("app-autosave-status--not-saved", kind === "not-saved");
    status.classList.toggle("app-autosave-status--offline", kind === "offline");
    status.classList.toggle("app-autosave-status--saved", kind === "saved");
    const parts = [];
    if (lead) {
      const strong = document.createElement("strong");
      strong.textContent = lead;
      parts.push(strong);
    }
    parts.push(document.createTextNode(text));
    if (action) {
      parts.push(document.createTextNode(" "), action);
    }
    status.replaceChildren(...parts);
  }
}

async function readAnswer(response) {
  const csrfFailed = response.headers.get("X-CSRF-Failed") === "true";
  let data = null;
  if ((response.headers.get("Content-Type") || "").includes("application/json")) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  // A redirect followed to an HTML page (a sign-in page, say) is not a save.
  if (response.redirected && !data) {
    return { status: response.status, data: null, csrfFailed, failure: "redirected" };
  }
  return { status: response.status, data, csrfFailed };
}

function reasonFor(status, data, failure) {
  if (failure === "timeout") {
    return "the server took too long to answer";
  }
  if (failure === "network") {
    return "the server could not be reached";
  }
  if (failure === "redirected") {
    return "the server answered with a page instead of saving";
  }
  if (status >= 500) {
    if ([502, 503, 504].includes(status)) {
      return `the server could not be reached (error ${status})`;
    }
    return `something went wrong on the server (error ${status})`;
  }
  if (status === 404) {
    return "this note could not be found (error 404)";
  }
  if (status === 403) {
    return "the server refused to save it (error 403)";
  }
  if (status === 200 || !data) {
    return status >= 400
      ? `the server refused to save it (error ${status})`
      : "the server's answer was not a save";
  }
  return `the server refused to save it (error ${status})`;
}

function fallbackMessage(state) {
  switch (state) {
    case "empty":
      return "there is nothing to save yet";
    case "invalid":
      return "some of what you wrote needs changing before it can be saved";
    case "conflict":
      return "this note was changed in another tab or window. Nothing was overwritten";
    case "finished":
      return "this note is finished, so it is not saved automatically";
    default:
      return "the server refused to save it";
  }
}

function withFullStop(message) {
  const trimmed = String(message).trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** What each text field is called on the page, for the offline shell to show. */
function labelsOf(form) {
  const labels = {};
  for (const field of form.querySelectorAll("textarea, input[type=text]")) {
    const own = field.labels?.[0]?.textContent.trim().replace(/\s+/g, " ");
    if (!field.name || !own) {
      continue;
    }
    // Several sections may ask the same question: name the section too.
    const section = field
      .closest(".nhsuk-card")
      ?.querySelector(".nhsuk-card__heading")
      ?.textContent.trim();
    labels[field.name] = section ? `${section}: ${own}` : own;
  }
  return labels;
}

function clockNow() {
  const now = new Date();
  return `${String(now.getHours()).padStart(2, "0")}:${String(now.getMinutes()).padStart(2, "0")}`;
}
