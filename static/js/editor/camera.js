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

function showLive() {
  shot = null;
  if (stream) message.textContent = "";
  still.hidden = true;
  video.hidden = false;
  shutter.hidden = false;
  retake.hidden = true;
  use.hidden = true;
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
  if (!video.videoWidth) return;
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
  canvas.toBlob(
    (blob) => {
      shot = blob;
      still.src = URL.createObjectURL(blob);
      still.hidden = false;
      video.hidden = true;
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
retake.addEventListener("click", () => {
  URL.revokeObjectURL(still.src);
  showLive();
  shutter.focus();
});
use.addEventListener("click", usePhoto);
dialog.querySelector("[data-camera-close]").addEventListener("click", close);
dialog.addEventListener("close", close);
