// Signing in again without leaving the page, and keeping the page's CSRF token
// fresh.
//
// When a session ends (idle timeout, the 12-hour limit, signed out in another
// tab) the text on the page is still there, but nothing can be saved. The
// dialog in templates/base.html (#sign-in-dialog) holds the sign-in pages in a
// frame; they end at /accounts/security/signed-in/, which the frame's load
// event notices (same origin). Signing in rotates the CSRF token, so the new
// one is fetched and put everywhere the page sends it from (the body's
// data-hx-headers and every csrfmiddlewaretoken input), then `pod:signed-in` is
// dispatched on the document: autosave sends what is waiting.
//
// Signing in in another tab works too: while the person is signed out, coming
// back to this tab asks the server whether the browser is signed in again.

const TOKEN_URL = "/accounts/security/csrf-token/";
const SIGNED_IN_PATH = "/accounts/security/signed-in/";
const REQUEST_TIMEOUT_MS = 15_000;

let dialog = null;
let frame = null;
let signedOut = false;
let checking = null;
let closedByPerson = false;
// Forms whose htmx request was refused because the session had ended: after
// signing in, the person is told to send them again.
const formsToResend = new Set();

export function isSignedOut() {
  return signedOut;
}

/** The CSRF token the page sends now. */
export function csrfToken(form = null) {
  const input =
    form?.querySelector("input[name=csrfmiddlewaretoken]") ??
    document.querySelector("input[name=csrfmiddlewaretoken]");
  if (input?.value) {
    return input.value;
  }
  try {
    return JSON.parse(document.body.getAttribute("data-hx-headers") || "{}")["X-CSRFToken"] ?? "";
  } catch {
    return "";
  }
}

/**
 * Ask the server for a fresh CSRF token and put it into the page.
 * Resolves to {token, signed_in}, or null when the server could not be asked.
 * Concurrent calls share one request.
 */
export function refreshToken() {
  if (!checking) {
    checking = askForToken().finally(() => {
      checking = null;
    });
  }
  return checking;
}

async function askForToken() {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  try {
    const response = await fetch(TOKEN_URL, {
      headers: { Accept: "application/json" },
      cache: "no-store",
      credentials: "same-origin",
      signal: controller.signal,
    });
    if (!response.ok || !isJson(response)) {
      return null;
    }
    const answer = await response.json();
    if (typeof answer?.token === "string" && answer.token) {
      setToken(answer.token);
    }
    return answer;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

function isJson(response) {
  return (response.headers.get("Content-Type") || "").includes("application/json");
}

function setToken(token) {
  document.body.setAttribute("data-hx-headers", JSON.stringify({ "X-CSRFToken": token }));
  for (const input of document.querySelectorAll("input[name=csrfmiddlewaretoken]")) {
    input.value = token;
  }
}

/**
 * The session has ended: open the sign-in dialog (once). `form`, if given,
 * is a form whose request was refused, to be sent again by the person.
 */
export function signInAgain(form = null, { unlessClosed = false } = {}) {
  signedOut = true;
  if (form instanceof HTMLFormElement && !form.hasAttribute("data-autosave")) {
    formsToResend.add(form);
  }
  // An autosave finding the session still ended does not reopen a dialog the
  // person closed: the status line offers it again.
  if (unlessClosed && closedByPerson) {
    return;
  }
  openDialog();
}

/**
 * Signed in as the wrong person: sign that person out inside the dialog (the
 * sign-out page asks to confirm), then sign in again, without leaving the page.
 */
export function signInAsTheWriter() {
  signedOut = true;
  closeDialog();
  openDialog({ src: frame?.dataset.switchSrc });
}

function openDialog({ src = null } = {}) {
  if (!dialog || dialog.open) {
    return;
  }
  // A fresh sign-in page each time: the frame may hold an old step or the
  // signed-in page from an earlier round.
  frame.src = src || frame.dataset.src;
  closedByPerson = false;
  dialog.showModal();
  // Start reading at the heading; Tab goes on into the sign-in form.
  dialog.querySelector("[data-dialog-start]")?.focus();
}

function closeDialog() {
  if (dialog?.open) {
    dialog.close();
  }
}

async function confirmSignedIn() {
  const answer = await refreshToken();
  if (!answer?.signed_in) {
    return false;
  }
  // Signed in as someone else (a shared computer): this page's text is not
  // theirs to save. Say so, and save nothing, until its own person signs in.
  const pageUser = document.body.dataset.user;
  if (pageUser && answer.user !== undefined && String(answer.user) !== pageUser) {
    if (frame) {
      frame.removeAttribute("src");
    }
    closeDialog();
    document.dispatchEvent(new CustomEvent("pod:wrong-person"));
    return false;
  }
  signedOut = false;
  closedByPerson = false;
  if (dialog?.open) {
    dialog.dataset.signedIn = "true";
  }
  closeDialog();
  if (frame) {
    frame.removeAttribute("src");
  }
  for (const form of formsToResend) {
    if (form.isConnected) {
      showResendNotice(form);
    }
  }
  formsToResend.clear();
  document.dispatchEvent(new CustomEvent("pod:signed-in"));
  return true;
}

function showResendNotice(form) {
  let notice = form.querySelector(".app-resend-notice");
  if (!notice) {
    notice = document.createElement("p");
    notice.className = "app-resend-notice";
    notice.setAttribute("role", "status");
    const buttons = form.querySelector(".nhsuk-button-group, [type=submit]");
    if (buttons && buttons.parentElement) {
      buttons.parentElement.insertBefore(notice, buttons);
    } else {
      form.append(notice);
    }
  }
  notice.textContent =
    "You are signed in again. What you sent was not saved, but it is still here: send it again.";
}

function showTokenRenewedNotice(form) {
  if (!(form instanceof HTMLFormElement)) {
    return;
  }
  showResendNotice(form);
  form.querySelector(".app-resend-notice").textContent =
    "That was not sent: the page's security check had expired. It has been renewed and your " +
    "text is still here: send it again.";
}

function frameLoaded() {
  let path = null;
  try {
    path = frame.contentWindow?.location.pathname ?? null;
    // Keys pressed inside the frame do not reach this page: Escape there
    // closes the dialog too, as it does anywhere else in it.
    frame.contentDocument?.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        closeDialog();
      }
    });
  } catch {
    return; // not our origin: nothing to read
  }
  if (path === SIGNED_IN_PATH) {
    confirmSignedIn();
  }
}

function checkOnReturn() {
  if (document.visibilityState === "hidden") {
    return;
  }
  if (signedOut || dialog?.open) {
    confirmSignedIn();
  }
}

function statusOf(event) {
  return event.detail?.xhr?.status ?? 0;
}

function formOf(element) {
  if (element instanceof HTMLFormElement) {
    return element;
  }
  return element instanceof Element ? element.closest("form") : null;
}

export function initSession() {
  dialog = document.getElementById("sign-in-dialog");
  frame = dialog?.querySelector("iframe") ?? null;
  if (dialog && frame) {
    frame.addEventListener("load", frameLoaded);
    for (const button of dialog.querySelectorAll("[data-dialog-close]")) {
      button.addEventListener("click", closeDialog);
    }
    // Closed by the Close button or Escape, not by signing in.
    dialog.addEventListener("close", () => {
      closedByPerson = dialog.dataset.signedIn !== "true";
      delete dialog.dataset.signedIn;
    });
  }

  // htmx requests from a page whose session ended: 401, nothing swapped.
  document.addEventListener("htmx:afterRequest", (event) => {
    if (statusOf(event) === 401) {
      signInAgain(formOf(event.detail.elt));
    }
  });
  // The server's HX-Trigger says the same; dispatched on the element that sent.
  document.addEventListener("pod:signed-out", (event) => {
    signInAgain(formOf(event.target));
  });
  // A CSRF failure on an htmx request: renew the token, no dialog.
  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail?.xhr;
    if (xhr?.status === 403 && xhr.getResponseHeader("X-CSRF-Failed") === "true") {
      refreshToken().then((answer) => {
        if (answer && !answer.signed_in) {
          signInAgain(formOf(event.detail.elt));
        } else {
          showTokenRenewedNotice(formOf(event.detail.elt));
        }
      });
    }
  });

  // Signed in in another tab? Ask when the person comes back to this one.
  window.addEventListener("focus", checkOnReturn);
  document.addEventListener("visibilitychange", checkOnReturn);
}
