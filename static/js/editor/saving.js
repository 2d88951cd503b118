// Saving: sent in the background and sent again until the server has it, never before every
// photo has arrived; a karte with nothing in it only when staff say so.
import { csrfToken, form, list, msg, state } from "./context.js";
import { forgetDraft, keepDraft } from "./drafts.js";
import { liveItems, renumber } from "./items.js";

const saveButton = form.querySelector('button[type="submit"]');
const saveState = document.getElementById("save-state");
let saving = null;
let wakeUp = null;

function say(text, { error = false } = {}) {
  saveState.textContent = text;
  saveState.hidden = !text;
  saveState.dataset.error = String(error);
}

function pause(ms) {
  // Ends early when the connection comes back or staff tap save again.
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      window.removeEventListener("online", done);
      wakeUp = null;
      resolve();
    }
    window.addEventListener("online", done);
    wakeUp = done;
  });
}

async function waitForUploads() {
  for (;;) {
    const items = liveItems();
    if (items.some((item) => item.dataset.upload === "failed")) return false;
    const pending = items.filter((item) => item.dataset.upload === "pending");
    if (!pending.length) return true;
    say(msg.msgUploading);
    await Promise.allSettled(pending.map((item) => item._job.done));
  }
}

function fill(template, seconds) {
  return template.replace("{seconds}", String(seconds));
}

async function send() {
  renumber();
  await keepDraft();
  for (let attempt = 0; ; attempt += 1) {
    // Before every send, the first and each one after a lost connection: a photo added meanwhile
    // is uploaded first, so the karte is sent once, with every photo's answer in it.
    if (!(await waitForUploads())) {
      say(msg.msgFailed, { error: true });
      return;
    }
    renumber();
    const backoff = Math.min(2 ** attempt * 2, 60);
    say(msg.msgSaving);
    saveButton.disabled = true;
    let response;
    try {
      response = await fetch(window.location.href, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Karte-Save": "fetch", "X-CSRFToken": csrfToken, Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch {
      say(msg.msgOffline);
      await pause(backoff * 1000);
      continue;
    } finally {
      saveButton.disabled = false; // a tap while waiting to send again sends at once
    }
    if (response.redirected && new URL(response.url).pathname === msg.loginUrl) {
      say(msg.msgSession, { error: true });
      document.getElementById("save-login").hidden = false;
      return;
    }
    const data = response.headers.get("Content-Type")?.includes("application/json")
      ? await response.json().catch(() => null)
      : null;
    if (response.ok && data?.redirect) {
      state.dirty = false;
      await forgetDraft();
      window.location.assign(data.redirect);
      return;
    }
    if (response.status === 503 && data?.retryable === false) {
      say(data.error, { error: true });
      return;
    }
    if (response.status === 503 || response.status === 502 || response.status === 504) {
      const seconds = Math.max(Number(response.headers.get("Retry-After")) || 0, backoff);
      say(fill(msg.msgBusy, seconds));
      await pause(seconds * 1000);
      continue;
    }
    if (response.status === 200 && !data) {
      // The server sent the editor back with its checks (a field to fix, someone else's save):
      // let it show them. The draft stays until a save is confirmed.
      state.dirty = false;
      form.dataset.nativeSubmit = "true";
      form.submit();
      return;
    }
    say(response.status === 403 ? msg.msgForbidden : msg.msgServerError, { error: true });
    return;
  }
}

async function save() {
  if (saving) {
    wakeUp?.(); // already waiting to send again: send now
    return;
  }
  try {
    saving = send();
    await saving;
  } finally {
    saving = null;
  }
}

// A karte with no menu and no items is saved only when staff say so: a tap too early would
// otherwise leave an empty record in the customer's history. The server asks too, without script.
function emptyAndUnconfirmed() {
  const confirmed = form.elements.namedItem("confirm_empty");
  if (confirmed.type === "checkbox" ? confirmed.checked : confirmed.value) return false;
  const menu = form.elements.namedItem("menu").value.trim();
  const picked = form.querySelector('input[name="menu_items"]:checked');
  return !menu && !picked && ![...list.children].some((item) => !item.hidden);
}

export function startSaving() {
  form.addEventListener("submit", (event) => {
    if (form.dataset.nativeSubmit === "true") return;
    event.preventDefault();
    if (emptyAndUnconfirmed()) {
      if (!window.confirm(msg.msgEmpty)) return;
      const confirmed = form.elements.namedItem("confirm_empty");
      if (confirmed.type === "checkbox") confirmed.checked = true;
      else confirmed.value = "on";
    }
    save();
  });

  window.addEventListener("beforeunload", (event) => {
    if (state.dirty) {
      event.preventDefault();
      event.returnValue = msg.msgLeave;
    }
  });
}
