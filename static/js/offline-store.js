// Text waiting on this device to be saved, held only encrypted.
//
// When a save cannot be sent (offline, or the server cannot be reached),
// autosave.js keeps the form here so that reopening the note, even offline,
// finds it (static/js/offline-editor.js). The browser's IndexedDB database
// "pod-offline" holds:
//   keys     "current": {tag, key}  an AES-GCM CryptoKey made with
//            extractable = false: script can use it but never read it out,
//            so a copy of the database holds no usable key
//   pending  <page address>: {iv, data}  the form's fields, as JSON,
//            encrypted under that key (the address is bound in as
//            additional data, so a record cannot be moved to another note)
//
// Tied to the session: pages from the server carry
// <meta name="pod-session" content="<tag>">, a keyed hash of the session key
// (pod_site/offline.py). A page whose tag is not the key's (a new sign-in,
// someone else) or that is empty (signed out) deletes the whole database
// before anything is read. Pages the service worker keeps carry no tag and
// use the key as it is. Signing out deletes it as well (offline.js, and the
// server's Clear-Site-Data header), and so does a save answered "signed out";
// signing in again in the page's dialog takes the new session's tag.

const DB_NAME = "pod-offline";
const DB_VERSION = 1;
const KEYS = "keys";
const PENDING = "pending";
const CURRENT = "current";
const TAG_URL = "/offline/session-tag/";

let opening = null;
let checking = null;

/** The address whose pending text this page writes or reads. */
export function pageKey() {
  return location.pathname + location.search;
}

/** Wipe the database if this page's session is not the key's. Once per page. */
export function sessionChecked() {
  if (!checking) {
    checking = checkSession().catch(() => wipeAll());
  }
  return checking;
}

async function checkSession() {
  const tag = pageTag();
  if (tag === null) {
    return; // a page kept by the service worker: it cannot know
  }
  if (!(await exists())) {
    return; // nothing kept: do not create a database just to look
  }
  if (tag === "") {
    await wipeAll(); // signed out
    return;
  }
  const current = await request(KEYS, "readonly", (store) => store.get(CURRENT));
  if (current && current.tag !== tag) {
    await wipeAll();
  }
}

// Signed in again without leaving the page (session.js): the session key, and
// so the tag, changed. Take the new tag, which wipes what the ended session
// kept (the text is still on the page, and is kept again under a new key).
document.addEventListener("pod:signed-in", async () => {
  const meta = document.querySelector('meta[name="pod-session"]');
  if (!meta) {
    return;
  }
  try {
    const response = await fetch(TAG_URL, {
      headers: { Accept: "application/json" },
      cache: "no-store",
      credentials: "same-origin",
    });
    const answer = response.ok ? await response.json() : null;
    if (typeof answer?.tag === "string") {
      meta.content = answer.tag;
    }
  } catch {
    meta.content = ""; // unknown: keep nothing until the page is loaded again
  }
  checking = checkSession().catch(() => wipeAll());
});

function pageTag() {
  const meta = document.querySelector('meta[name="pod-session"]');
  return meta ? meta.content : null;
}

async function exists() {
  if (typeof indexedDB.databases !== "function") {
    return true;
  }
  return (await indexedDB.databases()).some((db) => db.name === DB_NAME);
}

/** Keep `payload` (a plain object) for `key`, encrypted. */
export async function keepPending(key, payload) {
  await sessionChecked();
  const cryptoKey = await currentKey({ create: true });
  if (!cryptoKey) {
    return false;
  }
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encode(key) },
    cryptoKey,
    encode(JSON.stringify(payload)),
  );
  await request(PENDING, "readwrite", (store) => store.put({ iv, data }, key));
  return true;
}

/** The payload kept for `key`, or null (none, or not readable with this key). */
export async function readPending(key) {
  await sessionChecked();
  if (!(await exists())) {
    return null;
  }
  const record = await request(PENDING, "readonly", (store) => store.get(key));
  const cryptoKey = record ? await currentKey({ create: false }) : null;
  if (!cryptoKey) {
    return null;
  }
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: record.iv, additionalData: encode(key) },
      cryptoKey,
      record.data,
    );
    return JSON.parse(new TextDecoder().decode(plain));
  } catch {
    return null; // another key's record, or damaged: unreadable either way
  }
}

/** Forget what was kept for `key` (it is saved, or shown and answered). */
export async function dropPending(key) {
  await sessionChecked();
  if (await exists()) {
    await request(PENDING, "readwrite", (store) => store.delete(key));
  }
}

/** Delete the database: every pending text and the key. */
export async function wipeAll() {
  if (opening) {
    const db = await opening.catch(() => null);
    db?.close();
    opening = null;
  }
  await new Promise((resolve) => {
    const deleting = indexedDB.deleteDatabase(DB_NAME);
    deleting.onsuccess = deleting.onerror = () => resolve();
    // Blocked only until other tabs close their connections, which they do
    // on `versionchange` (below).
  });
}

async function currentKey({ create }) {
  const kept = await request(KEYS, "readonly", (store) => store.get(CURRENT));
  if (kept?.key) {
    return kept.key;
  }
  const tag = pageTag();
  if (!create || !tag) {
    return null; // no session to tie a new key to
  }
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
    "encrypt",
    "decrypt",
  ]);
  // Another tab may have made one meanwhile: `add` keeps the first, and this
  // tab uses whichever is stored.
  await request(KEYS, "readwrite", (store) => store.add({ tag, key }, CURRENT)).catch(() => null);
  const stored = await request(KEYS, "readonly", (store) => store.get(CURRENT));
  return stored?.key ?? null;
}

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        req.result.createObjectStore(KEYS);
        req.result.createObjectStore(PENDING);
      };
      req.onsuccess = () => {
        const db = req.result;
        // Another tab deleting the database (sign-out, a new session) waits
        // for this connection: let it go.
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        resolve(db);
      };
      req.onerror = () => {
        opening = null;
        reject(req.error);
      };
    });
  }
  return opening;
}

async function request(storeName, mode, makeRequest) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const req = makeRequest(transaction.objectStore(storeName));
    let result;
    req.onsuccess = () => {
      result = req.result;
    };
    transaction.oncomplete = () => resolve(result);
    transaction.onerror = () => reject(transaction.error ?? req.error);
    transaction.onabort = () => reject(transaction.error ?? req.error);
  });
}

function encode(text) {
  return new TextEncoder().encode(text);
}
