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
  still.hidden = true;
  video.hidden = false;
  shutter.hidden = false;
  retake.hidden = true;
  use.hidden = true;
}

function takePhoto() {
  if (!video.videoWidth) return;
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  canvas.toBlob(
    (blob) => {
      shot = blob;
      still.src = URL.createObjectURL(blob);
      still.hidden = false;
      video.hidden = true;
      shutter.hidden = true;
      retake.hidden = false;
      use.hidden = false;
      use.focus();
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
