// Passkeys (WebAuthn): 「パスキーでログイン」 on the login page and on the second step, and
// 「パスキーを追加」 on the account's two-step page. The server sends the options as JSON with
// base64url strings; the browser's API wants bytes, and the answer goes back as JSON again.

function fromB64url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0)).buffer;
}

function toB64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function csrfToken() {
  return document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/json" },
    body: body === undefined ? "" : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || "");
  return data;
}

function descriptors(list) {
  return (list || []).map((item) => ({ ...item, id: fromB64url(item.id) }));
}

function answer(credential) {
  const response = credential.response;
  const json = {
    id: credential.id,
    rawId: toB64url(credential.rawId),
    type: credential.type,
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    response: { clientDataJSON: toB64url(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    json.response.attestationObject = toB64url(response.attestationObject);
    json.response.transports = response.getTransports ? response.getTransports() : [];
  } else {
    json.response.authenticatorData = toB64url(response.authenticatorData);
    json.response.signature = toB64url(response.signature);
    if (response.userHandle) json.response.userHandle = toB64url(response.userHandle);
  }
  return json;
}

async function logIn(button) {
  const options = await post(button.dataset.optionsUrl);
  options.challenge = fromB64url(options.challenge);
  options.allowCredentials = descriptors(options.allowCredentials);
  const credential = await navigator.credentials.get({ publicKey: options });
  return post(button.dataset.url, answer(credential));
}

async function register(button) {
  const options = await post(button.dataset.optionsUrl);
  options.challenge = fromB64url(options.challenge);
  options.user.id = fromB64url(options.user.id);
  options.excludeCredentials = descriptors(options.excludeCredentials);
  const credential = await navigator.credentials.create({ publicKey: options });
  return post(button.dataset.url, answer(credential));
}

for (const button of document.querySelectorAll("[data-passkey]")) {
  if (!window.PublicKeyCredential) continue; // stays hidden where the browser has no passkeys
  button.hidden = false;
  const status = document.getElementById(button.dataset.status);
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "";
    try {
      const done = await (button.dataset.passkey === "register" ? register(button) : logIn(button));
      window.location.assign(done.redirect);
    } catch (error) {
      // Cancelled or timed out in the browser's own dialog: a plain sentence, not the API's.
      const mine = error instanceof Error && error.message && !(error instanceof DOMException);
      status.textContent = mine ? error.message : button.dataset.cancelled;
      button.disabled = false;
    }
  });
}
