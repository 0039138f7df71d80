// The editor's offline shell (templates/offline/editor.html).
//
// The service worker shows the shell at a note's edit address when the page
// cannot be fetched. The shell holds no text: this script decrypts what is
// waiting on this device for that address (static/js/offline-store.js), puts
// it in a form, and keeps what is typed, encrypted, as autosave.js would.
// When the connection returns it opens the real editor again; the editor
// finds the kept text and saves it through the usual autosave, with the
// revision it was based on, so a change made elsewhere meanwhile is shown
// as a conflict, never overwritten.
//
// The shell carries no session tag: before reading, the store wipes what is
// kept if the session must have ended (its time is up, or this browser no
// longer holds its cookies: static/js/offline-store.js), and the shell says so.
//
// Only fields with a label become text boxes here (the note and its
// principle notes); the rest (ticks, choices, the revision) travel unchanged
// as hidden inputs, so nothing the person chose is lost.

import { keepPending, pageKey, readPending, sessionChecked } from "./offline-store.js";

const KEEP_AFTER_MS = 300;
const CHECK_EVERY_MS = 15_000;
const TOKEN_URL = "/accounts/security/csrf-token/";
const ENDED =
  "Text kept on this device was removed because your session has ended. " +
  "Nothing is kept on a device for longer than a session. " +
  "When you are connected, sign in and open the note: what was saved is there.";
const ENDED_WHILE_OPEN =
  "Your session has ended, so this text is no longer kept on this device. " +
  "It is still on this page: copy it before you leave, then sign in when you are connected.";

const form = document.getElementById("offline-editor");
const fields = form?.querySelector("[data-offline-fields]");
const status = document.getElementById("autosave-status");
const key = pageKey();

let record = null;
let keeping = Promise.resolve();
let keepTimer = null;
let ended = false;

async function start() {
  if ((await sessionChecked().catch(() => undefined)) === "ended") {
    const empty = document.querySelector("[data-offline-empty]");
    if (empty) {
      empty.textContent = ENDED;
    }
    return;
  }
  record = await readPending(key).catch(() => null);
  if (!record || !Array.isArray(record.fields)) {
    return; // "No text from this note is waiting on this device."
  }
  if (typeof record.title === "string" && record.title) {
    document.getElementById("offline-editor-heading").textContent = record.title;
    document.title = `${record.title} (offline)`;
  }
  const labels = record.labels ?? {};
  fields.replaceChildren(
    ...record.fields.map(([name, value], index) =>
      labels[name] ? textBox(name, value, labels[name], index) : hidden(name, value),
    ),
  );
  document.querySelector("[data-offline-empty]")?.remove();
  form.hidden = false;
  showStatus();
  document.addEventListener("pod:offline-ended", () => {
    ended = true;
    showStatus();
  });
  form.addEventListener("input", () => {
    clearTimeout(keepTimer);
    keepTimer = setTimeout(keep, KEEP_AFTER_MS);
  });
  window.addEventListener("online", reopen);
  window.addEventListener("offline", showStatus);
  // navigator.onLine can say "online" while the server is out of reach (the
  // shell was shown because a fetch failed): ask now and then.
  setInterval(() => navigator.onLine && reopen(), CHECK_EVERY_MS);
}

function textBox(name, value, label, index) {
  const id = `offline-field-${index}`;
  const group = document.createElement("div");
  group.className = "nhsuk-form-group";
  const labelElement = document.createElement("label");
  labelElement.className = "nhsuk-label";
  labelElement.htmlFor = id;
  labelElement.textContent = label;
  const area = document.createElement("textarea");
  area.className = "nhsuk-textarea";
  area.id = id;
  area.name = name;
  area.rows = 5;
  area.value = value;
  group.append(labelElement, area);
  return group;
}

function hidden(name, value) {
  const input = document.createElement("input");
  input.type = "hidden";
  input.name = name;
  input.value = value;
  return input;
}

function keep() {
  keepTimer = null;
  const updated = { ...record, fields: [...new FormData(form).entries()] };
  record = updated;
  keeping = keeping
    .then(() => keepPending(key, updated))
    .then((kept) => {
      if (!kept && !ended) {
        ended = true; // nothing is kept once the session has ended
        showStatus();
      }
    })
    .catch(() => false);
  showStatus();
  return keeping;
}

function showStatus() {
  if (ended) {
    status.textContent = ENDED_WHILE_OPEN;
    return;
  }
  status.textContent = navigator.onLine
    ? "Not saved yet: the server cannot be reached. Your text is kept on this device and will save when connected."
    : "Offline: will save when connected.";
}

let reopening = false;

async function reopen() {
  if (reopening) {
    return;
  }
  reopening = true;
  try {
    if (keepTimer) {
      clearTimeout(keepTimer);
      keep();
    }
    await keeping;
    // Only reload when the server answers: otherwise the shell comes back.
    const response = await fetch(TOKEN_URL, { cache: "no-store", credentials: "same-origin" });
    if (response.ok) {
      location.reload();
      return;
    }
  } catch {
    // Still out of reach: try again later.
  }
  reopening = false;
  showStatus();
}

if (form) {
  start();
}
