// 「QRコードをスキャン」: the rear camera in the page, decoded continuously with zxing-wasm
// (its .wasm served from our own origin), then the code is redeemed with a POST.
const button = document.getElementById("scan-button");
const scanner = document.getElementById("scanner");
const video = document.getElementById("scanner-video");
const statusLine = document.getElementById("scanner-status");
const errorBox = document.getElementById("link-error");
const numeric = document.getElementById("numeric");
const csrfToken = document.querySelector('#numeric-form input[name="csrfmiddlewaretoken"]').value;
const msg = button.dataset;
const SCAN_INTERVAL_MS = 150;

let stream = null;
let busy = false;
let timer = null;

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = !text;
}

function stop() {
  clearTimeout(timer);
  stream?.getTracks().forEach((track) => track.stop());
  stream = null;
  scanner.hidden = true;
  button.hidden = false;
}

function zxing() {
  const { prepareZXingModule, readBarcodes } = window.ZXingWASM;
  prepareZXingModule({
    overrides: {
      locateFile: (path, prefix) => (path.endsWith(".wasm") ? msg.wasmUrl : prefix + path),
    },
  });
  return readBarcodes;
}

async function redeem(code) {
  statusLine.textContent = msg.msgChecking;
  const body = new FormData();
  body.append("code", code);
  let response;
  try {
    response = await fetch(msg.linkUrl, {
      method: "POST",
      body,
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
      credentials: "same-origin",
    });
  } catch {
    return { error: msg.msgNetwork };
  }
  const data = await response.json().catch(() => ({ error: msg.msgNetwork }));
  return response.ok ? data : { error: data.error || msg.msgNetwork };
}

async function scanLoop(readBarcodes, canvas) {
  if (!stream) return;
  if (!busy && video.readyState >= 2 && video.videoWidth) {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0);
    const frame = context.getImageData(0, 0, canvas.width, canvas.height);
    const results = await readBarcodes(frame, { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 });
    const text = results.find((result) => result.isValid)?.text;
    if (text) {
      busy = true;
      const outcome = await redeem(text.trim());
      if (outcome.ok) {
        stop();
        window.location.assign(outcome.redirect);
        return;
      }
      showError(outcome.error);
      statusLine.textContent = msg.msgLooking;
      // The same wrong code stays in front of the camera; wait before trying again.
      setTimeout(() => {
        busy = false;
      }, 2500);
    }
  }
  timer = setTimeout(() => scanLoop(readBarcodes, canvas), SCAN_INTERVAL_MS);
}

button.addEventListener("click", async () => {
  showError("");
  if (!navigator.mediaDevices?.getUserMedia) {
    showError(msg.msgNocamera);
    numeric.focus();
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
  } catch (error) {
    showError(error.name === "NotFoundError" || error.name === "OverconstrainedError" ? msg.msgNocamera : msg.msgDenied);
    numeric.focus();
    return;
  }
  video.srcObject = stream;
  await video.play().catch(() => {});
  scanner.hidden = false;
  button.hidden = true;
  statusLine.textContent = msg.msgLooking;
  scanLoop(zxing(), document.createElement("canvas"));
});

document.getElementById("scanner-stop").addEventListener("click", stop);
window.addEventListener("pagehide", stop);
button.dataset.ready = "true";

// Step 1's QR code opens the app with its own code after # (never sent to a server): it links this
// browser at once. The code leaves the address bar first, so it stays in no history or bookmark.
const fromUrl = new URLSearchParams(location.hash.slice(1)).get("link");
if (fromUrl) {
  history.replaceState(null, "", location.pathname + location.search);
  redeem(fromUrl).then((result) => {
    if (result.redirect) location.replace(result.redirect);
    else showError(result.error);
  });
}
