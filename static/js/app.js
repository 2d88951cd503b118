// The customer app on the phone: service worker, offline mark, full-screen photos with pinch
// zoom, the before/after slider, and the install button where the browser offers one.
import "./compare.js";

const body = document.body;
const personalCache = `karte-personal-${body.dataset.slug}`;

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(body.dataset.serviceWorker, { scope: body.dataset.scope }).catch(() => {});
}

// Unlinked or revoked: nothing personal may stay on the phone.
if (body.dataset.clearPersonal === "true" && "caches" in window) {
  caches.delete(personalCache);
  navigator.serviceWorker?.controller?.postMessage({ type: "clear-personal" });
}

const offlineMark = document.querySelector(".offline-mark");
function showConnection() {
  offlineMark.hidden = navigator.onLine;
}
window.addEventListener("online", showConnection);
window.addEventListener("offline", showConnection);
showConnection();

// 「もっと見る」: the next page of the list is fetched and added below, the link moves on.
document.addEventListener("click", async (event) => {
  const more = event.target.closest("[data-more]");
  if (!more) return;
  event.preventDefault();
  more.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(more.href, { credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
    const next = new DOMParser().parseFromString(await response.text(), "text/html");
    const list = document.querySelector("[data-list]");
    list.append(...next.querySelectorAll("[data-list] > li"));
    const nextMore = next.querySelector("[data-more]");
    if (nextMore) more.href = new URL(nextMore.getAttribute("href"), more.href).href;
    else more.closest(".more").remove();
  } catch {
    window.location.href = more.href; // offline or an error: the page itself says what happened
  } finally {
    more.removeAttribute("aria-busy");
  }
});

// Full-screen photo with pinch zoom (two fingers) and double-tap zoom.
const viewer = document.getElementById("viewer");
const viewerImage = document.getElementById("viewer-image");
const pointers = new Map();
let scale = 1;
let startDistance = 0;
let startScale = 1;
let lastTap = 0;

function applyScale() {
  viewerImage.style.transform = `scale(${scale})`;
}

document.addEventListener("click", (event) => {
  const zoom = event.target.closest("[data-zoom]");
  if (zoom) {
    viewerImage.src = zoom.dataset.zoom;
    viewerImage.alt = zoom.querySelector("img")?.alt || "";
    scale = 1;
    applyScale();
    viewer.showModal();
  } else if (event.target.closest("[data-close-viewer]")) {
    viewer.close();
  }
});

viewerImage.addEventListener("pointerdown", (event) => {
  pointers.set(event.pointerId, event);
  if (pointers.size === 2) {
    const [a, b] = [...pointers.values()];
    startDistance = Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY);
    startScale = scale;
  } else if (event.timeStamp - lastTap < 300) {
    scale = scale > 1 ? 1 : 2.5;
    applyScale();
  }
  lastTap = event.timeStamp;
});
viewerImage.addEventListener("pointermove", (event) => {
  if (!pointers.has(event.pointerId)) return;
  pointers.set(event.pointerId, event);
  if (pointers.size === 2 && startDistance) {
    const [a, b] = [...pointers.values()];
    const distance = Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY);
    scale = Math.min(5, Math.max(1, (startScale * distance) / startDistance));
    applyScale();
  }
});
for (const type of ["pointerup", "pointercancel", "pointerleave"]) {
  viewerImage.addEventListener(type, (event) => {
    pointers.delete(event.pointerId);
    if (pointers.size < 2) startDistance = 0;
  });
}


// The install guide on a linked browser's home page: shown until the customer closes it.
const installGuide = document.querySelector("[data-install-guide]");
if (installGuide) {
  const dismissedKey = `karte-install-guide-closed-${body.dataset.slug}`;
  if (localStorage.getItem(dismissedKey)) installGuide.remove();
  installGuide.querySelector("[data-install-dismiss]").addEventListener("click", () => {
    localStorage.setItem(dismissedKey, "1");
    installGuide.remove();
  });
}

// Android offers an install prompt; show our button only when it does.
const installButton = document.getElementById("install-button");
window.addEventListener("beforeinstallprompt", (event) => {
  event.preventDefault();
  if (!installButton) return;
  installButton.hidden = false;
  installButton.onclick = () => event.prompt();
});

for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

// Notices: opening one marks it read. A read made offline waits in localStorage and is sent
// when the phone is back online; the server counts each customer once, so resending is safe.
const pendingKey = `karte-pending-reads-${body.dataset.slug}`;

function pendingReads() {
  try {
    return JSON.parse(localStorage.getItem(pendingKey) || "[]");
  } catch {
    return [];
  }
}

function savePending(urls) {
  localStorage.setItem(pendingKey, JSON.stringify([...new Set(urls)]));
}

function showUnread(count) {
  body.dataset.unread = String(count);
  const badge = document.querySelector("[data-unread-badge]");
  if (badge) {
    badge.textContent = String(count);
    badge.hidden = count === 0;
  }
  if ("setAppBadge" in navigator) {
    (count > 0 ? navigator.setAppBadge(count) : navigator.clearAppBadge()).catch(() => {});
  }
}

async function sendRead(url) {
  const token = document.querySelector('input[name="csrfmiddlewaretoken"]')?.value;
  const response = await fetch(url, {
    method: "POST",
    headers: { Accept: "application/json", "X-CSRFToken": token || "" },
    credentials: "same-origin",
  });
  if (response.status >= 500) throw new Error("server");
  if (response.ok) showUnread((await response.json()).unread);
}

async function flushReads() {
  if (!navigator.onLine) return;
  const left = [];
  for (const url of pendingReads()) {
    try {
      await sendRead(url);
    } catch {
      left.push(url);
    }
  }
  savePending(left);
}

if (body.dataset.readUrl) {
  savePending([...pendingReads(), body.dataset.readUrl]);
}
flushReads();
window.addEventListener("online", flushReads);
if (body.dataset.unread !== undefined) showUnread(Number(body.dataset.unread));

// Notices listed but not yet opened are fetched in the background, so the service worker can
// show them offline. Fetching is not reading: only the notice page's own POST counts as a read.
if (navigator.onLine && navigator.serviceWorker?.controller) {
  const links = [...document.querySelectorAll("a.notice-card[href]")].slice(0, 20);
  for (const link of links) fetch(link.href, { credentials: "same-origin" }).catch(() => {});
}
