// 「カメラで撮影」: the tablet's rear camera inside the editor. A shot is looked at, then used or
// taken again; each photo used becomes a photo item (private, as always) through the same upload
// queue as a picked file, with the angle chosen here, and the camera stays open for the next one.
import { field, markDirty } from "./context.js";
import { addPhotos } from "./uploads.js";

const dialog = document.getElementById("camera-dialog");
const video = dialog.querySelector(".camera-dialog__live");
const still = dialog.querySelector(".camera-dialog__still");
const message = dialog.querySelector("[data-camera-message]");
const count = dialog.querySelector("[data-camera-count]");
const angle = dialog.querySelector("[data-camera-angle]");
const shutter = dialog.querySelector("[data-camera-shutter]");
const retake = dialog.querySelector("[data-camera-retake]");
const use = dialog.querySelector("[data-camera-use]");

const ghost = dialog.querySelector("[data-camera-ghost]");
const outline = dialog.querySelector("[data-camera-outline]");
const ghostControls = dialog.querySelector("[data-ghost-controls]");
const ghostDate = dialog.querySelector("[data-ghost-date]");
const ghostOpacity = dialog.querySelector("[data-ghost-opacity]");
const ghostOutline = dialog.querySelector("[data-ghost-outline]");

let stream = null;
let shot = null; // the blob of the photo being looked at
let taken = 0;

// The camera is offered where the browser has one to give (a secure page with mediaDevices).
export function cameraAvailable() {
  return Boolean(navigator.mediaDevices?.getUserMedia) && window.isSecureContext;
}

export async function openCamera() {
  taken = 0;
  count.textContent = "";
  showGhost();
  message.textContent = "";
  showLive();
  dialog.showModal();
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1920 }, height: { ideal: 1440 } },
      audio: false,
    });
  } catch {
    message.textContent = dialog.dataset.msgUnavailable;
    shutter.disabled = true;
    return;
  }
  shutter.disabled = false;
  video.srcObject = stream;
  await video.play();
  dialog.dataset.ready = "true";
}

// The ghost: the customer's last photo from the chosen angle (the staff-only copy), laid over the
// live picture at the chosen transparency, or as its outline. It is only drawn on the screen; a
// shot is taken from the camera's own frame.
let ghostTurn = 0; // each choice of angle; only the latest one may show its ghost

async function showGhost() {
  const turn = (ghostTurn += 1);
  hideGhost();
  if (!angle.value) return;
  const query = new URLSearchParams({ angle: angle.value });
  if (dialog.dataset.karte) query.set("karte", dialog.dataset.karte);
  let found;
  try {
    const response = await fetch(`${dialog.dataset.ghostUrl}?${query}`, { credentials: "same-origin" });
    if (!response.ok) return;
    found = await response.json();
  } catch {
    return; // offline: no ghost, the camera works as ever
  }
  if (!found.url || turn !== ghostTurn) return;
  ghost.src = found.url;
  const decoded = await ghost.decode().then(
    () => true,
    () => false,
  );
  // Another angle chosen while the photo came, or a photo that would not load: no ghost from it.
  if (turn !== ghostTurn) return;
  if (!decoded || !ghost.naturalWidth) {
    hideGhost();
    return;
  }
  ghostDate.textContent = dialog.dataset.msgGhostDate.replace("%(date)s", found.date);
  ghostControls.hidden = false;
  drawOutline();
  applyGhost();
}

function hideGhost() {
  ghost.hidden = true;
  outline.hidden = true;
  ghostControls.hidden = true;
  ghost.removeAttribute("src");
  dialog.dataset.ghost = "";
}

function applyGhost() {
  if (!ghost.getAttribute("src") || video.hidden) {
    ghost.hidden = outline.hidden = true;
    return;
  }
  const opacity = String(Number(ghostOpacity.value) / 100);
  ghost.style.opacity = outline.style.opacity = ghostOutline.checked ? "1" : opacity;
  ghost.hidden = ghostOutline.checked;
  outline.hidden = !ghostOutline.checked;
  dialog.dataset.ghost = ghostOutline.checked ? "outline" : "photo";
}

// The ghost's edges (a Sobel filter over a small grey copy), drawn white where they are strong.
function drawOutline() {
  const width = 480;
  const height = Math.max(1, Math.round((ghost.naturalHeight / ghost.naturalWidth) * width));
  outline.width = width;
  outline.height = height;
  const context = outline.getContext("2d", { willReadFrequently: true });
  context.drawImage(ghost, 0, 0, width, height);
  const source = context.getImageData(0, 0, width, height).data;
  const grey = new Float32Array(width * height);
  for (let i = 0; i < grey.length; i += 1) {
    grey[i] = 0.299 * source[i * 4] + 0.587 * source[i * 4 + 1] + 0.114 * source[i * 4 + 2];
  }
  const edges = context.createImageData(width, height);
  for (let y = 1; y < height - 1; y += 1) {
    for (let x = 1; x < width - 1; x += 1) {
      const at = y * width + x;
      const gx = grey[at - width + 1] + 2 * grey[at + 1] + grey[at + width + 1]
        - grey[at - width - 1] - 2 * grey[at - 1] - grey[at + width - 1];
      const gy = grey[at + width - 1] + 2 * grey[at + width] + grey[at + width + 1]
        - grey[at - width - 1] - 2 * grey[at - width] - grey[at - width + 1];
      if (Math.hypot(gx, gy) > 60) {
        edges.data.set([255, 255, 255, 255], at * 4);
      }
    }
  }
  context.putImageData(edges, 0, 0);
}

function showLive() {
  shot = null;
  if (stream) message.textContent = "";
  if (stream && video.paused) video.play().catch(() => {});
  still.hidden = true;
  video.hidden = false;
  shutter.hidden = false;
  shutter.disabled = !stream;
  retake.hidden = true;
  use.hidden = true;
  applyGhost();
}

// Below these a shot is pointed out before it is used: the variance of a Laplacian over a small
// grey copy (edges: a sharp photo has many) and its mean brightness (0–255).
const SHARPNESS_AT_LEAST = 40;
const BRIGHTNESS_AT_LEAST = 55;

export function measure(canvas) {
  const width = 320;
  const height = Math.max(1, Math.round((canvas.height / canvas.width) * width));
  const small = document.createElement("canvas");
  small.width = width;
  small.height = height;
  const context = small.getContext("2d", { willReadFrequently: true });
  context.drawImage(canvas, 0, 0, width, height);
  const { data } = context.getImageData(0, 0, width, height);
  const grey = new Float32Array(width * height);
  let sum = 0;
  for (let i = 0; i < grey.length; i += 1) {
    grey[i] = 0.299 * data[i * 4] + 0.587 * data[i * 4 + 1] + 0.114 * data[i * 4 + 2];
    sum += grey[i];
  }
  let total = 0;
  let squares = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y += 1) {
    for (let x = 1; x < width - 1; x += 1) {
      const at = y * width + x;
      const laplacian = grey[at - 1] + grey[at + 1] + grey[at - width] + grey[at + width] - 4 * grey[at];
      total += laplacian;
      squares += laplacian * laplacian;
      count += 1;
    }
  }
  const mean = total / count;
  return { sharpness: squares / count - mean * mean, brightness: sum / grey.length };
}

function takePhoto() {
  if (!video.videoWidth) {
    message.textContent = dialog.dataset.msgNotTaken; // no frame from the camera yet
    return;
  }
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  const { sharpness, brightness } = measure(canvas);
  // In the dark there are few edges to find: only the darkness is said then.
  const doubts = [];
  if (brightness < BRIGHTNESS_AT_LEAST) doubts.push(dialog.dataset.msgDark);
  else if (sharpness < SHARPNESS_AT_LEAST) doubts.push(dialog.dataset.msgBlurred);
  dialog.dataset.sharpness = sharpness.toFixed(1);
  dialog.dataset.brightness = brightness.toFixed(1);
  // The picture stops at once, as a camera's does, while the JPEG is made (the browser makes it
  // when it has a moment, which can take a while on a busy tablet); one tap is one shot.
  video.pause();
  shutter.disabled = true;
  canvas.toBlob(
    (blob) => {
      if (!blob) {
        showLive();
        message.textContent = dialog.dataset.msgNotTaken; // the browser could not make the JPEG
        return;
      }
      shot = blob;
      still.src = URL.createObjectURL(blob);
      still.hidden = false;
      video.hidden = true;
      applyGhost();
      shutter.hidden = true;
      retake.hidden = false;
      use.hidden = false;
      message.textContent = doubts.join(" ");
      use.textContent = doubts.length ? dialog.dataset.msgUseAnyway : dialog.dataset.msgUse;
      (doubts.length ? retake : use).focus();
    },
    "image/jpeg",
    0.9,
  );
}

function usePhoto() {
  const file = new File([shot], `camera-${Date.now()}.jpg`, { type: "image/jpeg" });
  const [item] = addPhotos([file]);
  field(item, "angle").value = angle.value;
  markDirty();
  taken += 1;
  count.textContent = dialog.dataset.msgTaken.replace("%(count)s", String(taken));
  URL.revokeObjectURL(still.src);
  showLive();
  shutter.focus();
}

function close() {
  for (const track of stream?.getTracks() || []) track.stop();
  stream = null;
  video.srcObject = null;
  delete dialog.dataset.ready;
  if (dialog.open) dialog.close();
}

shutter.addEventListener("click", takePhoto);
angle.addEventListener("change", showGhost);
ghostOpacity.addEventListener("input", applyGhost);
ghostOutline.addEventListener("change", applyGhost);
retake.addEventListener("click", () => {
  URL.revokeObjectURL(still.src);
  showLive();
  shutter.focus();
});
use.addEventListener("click", usePhoto);
dialog.querySelector("[data-camera-close]").addEventListener("click", close);
dialog.addEventListener("close", close);
