// Text waiting on this device to be saved, held only encrypted.
//
// When a save cannot be sent (offline, or the server cannot be reached),
// autosave.js keeps the form here so that reopening the note, even offline,
// finds it (static/js/offline-editor.js). The browser's IndexedDB database
// "pod-offline" holds:
//   keys     "current": {tag, key, ends, seen, idle}  an AES-GCM CryptoKey
//            made with extractable = false: script can use it but never read
//            it out, so a copy of the database holds no usable key; and when
//            its session must have ended at the latest (below)
//   pending  <page address>: {iv, data}  the form's fields, as JSON,
//            encrypted under that key (the address is bound in as
//            additional data, so a record cannot be moved to another note)
//
// Tied to the session: pages from the server carry
// <meta name="pod-session" content="<tag>">, a keyed hash of the session key
// (pod_site/offline.py). A page whose tag is not the key's (a new sign-in,
// someone else) or that is empty (signed out) deletes the whole database
// before anything is read. Signing out deletes it as well (offline.js, and
// the server's Clear-Site-Data header), and so does a save answered "signed
// out"; signing in again in the page's dialog takes the new session's tag.
//
// Only while the session can still be alive. Offline nobody can ask the
// server, but the device knows when the session must have ended at the
// latest. Beside the tag, pages carry the session's limits in seconds from
// now (pod-session-ends-in: what is left of the 12 hours after sign-in;
// pod-session-idle: the idle timeout), which the page turns into times on the
// device's own clock as it loads (no clock is compared with the server's).
// The key record keeps `ends` (the 12 hours), `idle`, and `seen`: the last
// time the server answered this session (a page with its tag loading, an
// autosave answered: sessionAnswered()). The server ends an idle session
// `idle` after its last save, which is never after `seen`, so once
//     now > min(ends, seen + idle)
// the session has ended, and the database is deleted before anything is read
// or kept: by every page, and by pages that carry no tag (the service
// worker's offline pages, which cannot know the session otherwise) whenever
// they open one.
//
// A session also ends when the browser loses its cookies (cleared, or the
// browser closed: the session cookie lasts until then). Script cannot see the
// session cookie, so a page with a tag also sets its own cookie naming the
// tag (COOKIE, no lifetime of its own, so it goes with the session cookie);
// a page without a tag that finds no such cookie for the key's tag deletes the
// database too. (It holds the tag the page shows anyway, never the session key.)

const DB_NAME = "pod-offline";
const DB_VERSION = 1;
const KEYS = "keys";
const PENDING = "pending";
const CURRENT = "current";
const TAG_URL = "/offline/session-tag/";
const COOKIE = "pod_offline_session";
const WATCH_EVERY_MS = 30_000;

let opening = null;
let checking = null;
// This page's view of its session's limits (ms on the device's clock), from
// its meta tags at load, or from the server after signing in again.
let limits = limitsFrom(
  document.querySelector('meta[name="pod-session-ends-in"]')?.content,
  document.querySelector('meta[name="pod-session-idle"]')?.content,
);

function limitsFrom(endsIn, idle) {
  const ends = Number.parseInt(endsIn, 10);
  const idleSeconds = Number.parseInt(idle, 10);
  if (!Number.isFinite(ends) || !Number.isFinite(idleSeconds)) {
    return null;
  }
  const now = Date.now();
  return { ends: now + ends * 1000, idle: idleSeconds * 1000, seen: now };
}

/** When the session of `record` (a key record, or this page's limits) must have ended. */
function endOf(record) {
  const { ends, seen, idle } = record ?? {};
  if (![ends, seen, idle].every(Number.isFinite)) {
    return -Infinity; // unknown: treated as ended
  }
  return Math.min(ends, seen + idle);
}

/** The address whose pending text this page writes or reads. */
export function pageKey() {
  return location.pathname + location.search;
}

/**
 * Wipe the database if this page's session is not the key's, or if the key's
 * session must have ended. Once per page; resolves to "ended" when it wiped
 * text because the session had ended (for the offline editor to say so).
 */
export function sessionChecked() {
  if (!checking) {
    checking = checkSession().catch(() => wipeAll());
  }
  return checking;
}

async function checkSession() {
  const tag = pageTag();
  if (tag) {
    setCookie(tag);
  } else if (tag === "") {
    setCookie(""); // signed out
  }
  if (!(await exists())) {
    return undefined; // nothing kept: do not create a database just to look
  }
  if (tag === "") {
    await wipeAll(); // signed out
    return "ended";
  }
  const current = await request(KEYS, "readonly", (store) => store.get(CURRENT));
  if (!current) {
    return undefined;
  }
  if (tag === null) {
    // A page kept by the service worker: the cookies tell whether this
    // browser still holds the session, the clock whether it can be alive.
    if (cookieTag() !== current.tag || Date.now() > endOf(current)) {
      await wipeAll();
      return "ended";
    }
    return undefined;
  }
  if (current.tag !== tag) {
    await wipeAll(); // another session's (it has ended, or is someone else's)
    return "ended";
  }
  // The server has just answered this session: it was alive when this page
  // was made, whatever the device's clock says.
  await touch(current);
  return undefined;
}

/** Wipe the database if its session must have ended by now. */
async function endedSinceChecked() {
  if (!(await exists())) {
    return false;
  }
  const current = await request(KEYS, "readonly", (store) => store.get(CURRENT));
  if (current && Date.now() > endOf(current)) {
    await wipeAll();
    document.dispatchEvent(new CustomEvent("pod:offline-ended"));
    return true;
  }
  return false;
}

/**
 * The server answered this session (an autosave, saved or refused: not
 * "signed out"): it is alive now, so its idle timeout starts again.
 */
export async function sessionAnswered() {
  if (limits) {
    limits.seen = Date.now();
  }
  try {
    await sessionChecked();
    if (!pageTag() || !(await exists())) {
      return;
    }
    const current = await request(KEYS, "readonly", (store) => store.get(CURRENT));
    if (current?.tag === pageTag()) {
      await touch(current);
    }
  } catch {
    // Not noted: the key's session ends earlier on this device, never later.
  }
}

async function touch(current) {
  if (!limits) {
    return;
  }
  const updated = { ...current, ends: limits.ends, idle: limits.idle, seen: Date.now() };
  await request(KEYS, "readwrite", (store) => store.put(updated, CURRENT));
}

// A page left open (offline, or the device asleep) past the end of the
// session: what it kept goes, as it would at the next page.
function watch() {
  endedSinceChecked().catch(() => {});
}
setInterval(watch, WATCH_EVERY_MS);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") {
    watch();
  }
});

function setCookie(tag) {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  const value = tag ? `${COOKIE}=${tag}` : `${COOKIE}=; Max-Age=0`;
  document.cookie = `${value}; Path=/; SameSite=Strict${secure}`;
}

function cookieTag() {
  const prefix = `${COOKIE}=`;
  const found = document.cookie.split("; ").find((part) => part.startsWith(prefix));
  return found ? found.slice(prefix.length) : null;
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
      limits = limitsFrom(answer.ends_in, answer.idle);
    }
  } catch {
    meta.content = ""; // unknown: keep nothing until the page is loaded again
    limits = null;
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
  if (await endedSinceChecked()) {
    return false; // the session has ended: nothing more is kept for it
  }
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
  if ((await endedSinceChecked()) || !(await exists())) {
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
  if (!create || !tag || !limits || Date.now() > endOf(limits)) {
    return null; // no session to tie a new key to (or it has ended)
  }
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
    "encrypt",
    "decrypt",
  ]);
  // Another tab may have made one meanwhile: `add` keeps the first, and this
  // tab uses whichever is stored.
  const record = { tag, key, ends: limits.ends, idle: limits.idle, seen: limits.seen };
  await request(KEYS, "readwrite", (store) => store.add(record, CURRENT)).catch(() => null);
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
