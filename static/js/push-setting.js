// 「プッシュ通知を受け取る」 in the app's settings: the browser is asked for permission only after
// this tap, then subscribes through this salon's own service worker (its own scope, so each salon's
// app on a phone is decided apart); the server keeps the subscription for this linked phone.
const section = document.querySelector("[data-push]");
const toggle = section.querySelector("[data-push-switch]");
const state = section.querySelector("[data-push-state]");
const msg = section.dataset;
const csrfToken = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/)?.[1] || "";

function say(text) {
  state.textContent = text;
}

function showOn(on) {
  toggle.setAttribute("aria-checked", String(on));
  say(on ? msg.msgOn : msg.msgOff);
}

function applicationServerKey() {
  const base64 = msg.vapidKey.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

// An iPhone delivers push to a web app only once it is on the home screen (iOS 16.4 and later).
function iPhoneInSafari() {
  const apple = /iPhone|iPad|iPod/.test(navigator.userAgent);
  const standalone = navigator.standalone === true || window.matchMedia("(display-mode: standalone)").matches;
  return apple && !standalone;
}

function canPush() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

async function registration() {
  return (await navigator.serviceWorker.getRegistration(msg.scope)) || navigator.serviceWorker.ready;
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
    body: body ? JSON.stringify(body) : undefined,
    credentials: "same-origin",
  });
  if (!response.ok) throw new Error(String(response.status));
}

async function turnOn() {
  if (iPhoneInSafari()) return say(msg.msgHomeScreen);
  if (!canPush()) return say(msg.msgUnsupported);
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return say(msg.msgDenied);
  try {
    const worker = await registration();
    const subscription =
      (await worker.pushManager.getSubscription()) ||
      (await worker.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: applicationServerKey() }));
    await post(msg.subscribeUrl, subscription.toJSON());
    showOn(true);
  } catch {
    say(msg.msgFailed);
  }
}

async function turnOff() {
  try {
    const worker = canPush() ? await registration() : null;
    const subscription = worker ? await worker.pushManager.getSubscription() : null;
    await subscription?.unsubscribe();
  } catch {
    // The server forgets it below either way: nothing more is pushed to this phone.
  }
  await post(msg.unsubscribeUrl).catch(() => {});
  showOn(false);
}

toggle.addEventListener("click", async () => {
  toggle.disabled = true;
  try {
    if (toggle.getAttribute("aria-checked") === "true") await turnOff();
    else await turnOn();
  } finally {
    toggle.disabled = false;
  }
});
