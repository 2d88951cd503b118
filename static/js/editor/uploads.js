// Photos: uploaded one by one with progress (made smaller first when over the limit), then
// followed while the server makes their display copies.
import { UploadQueue } from "../upload-queue.js";
import { retryCopies, waitForCopies } from "../image-status.js";
import { csrfToken, field, msg, requestKeep } from "./context.js";
import { addItem, setStatus, showPreview } from "./items.js";

export const queue = new UploadQueue({ url: msg.uploadUrl, csrfToken, concurrency: 2 });

function statusUrlFor(imageId) {
  return msg.imageStatusUrl.replace("00000000-0000-0000-0000-000000000000", imageId);
}

// A stored photo whose copies are not made yet has no small copy to show: follow it as 「処理中」.
export function followIfNotReady(item, imageId) {
  const img = item.querySelector(".editor-item__preview");
  const follow = () => followCopies(item, { id: imageId, status: "processing" });
  if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) follow();
  else img.addEventListener("error", follow, { once: true });
}

// After the upload the server makes the display copies: the photo shows from the local file
// meanwhile with 「処理中」, and a processing failure says why, with a retry where one can help.
async function followCopies(item, asset) {
  item._asset = asset;
  if (asset.status === "processing") {
    item.dataset.processing = "processing";
    setStatus(item, { state: "processing", progress: 100, text: msg.msgProcessing });
    const imageId = asset.id;
    const state = await waitForCopies(asset.status_url || statusUrlFor(imageId), {
      stillWanted: () => item.isConnected && !item.hidden && field(item, "image").value === imageId,
    });
    if (state) followCopies(item, state);
    return;
  }
  if (asset.status === "failed") {
    item.dataset.processing = "failed";
    setStatus(item, { state: "failed", text: asset.error });
    item.querySelector("[data-retry]").hidden = !asset.retry_url;
    return;
  }
  delete item.dataset.processing;
  // The small copy replaces the tablet's own file: it is what was stored, and a 12-megapixel
  // picture held for a thumbnail would weigh on the tablet's memory.
  const img = item.querySelector(".editor-item__preview");
  const local = img.src.startsWith("blob:") ? img.src : null;
  showPreview(item, asset.small);
  if (local) img.addEventListener("load", () => URL.revokeObjectURL(local), { once: true });
  setStatus(item, { state: "done", progress: 100, text: msg.msgDone });
}

// 「再試行」 on a photo whose copies could not be made: the server is asked to make them again.
export function retryProcessing(item, button) {
  button.hidden = true;
  retryCopies(item._asset.retry_url, csrfToken).then(
    (state) => followCopies(item, state),
    () => {
      button.hidden = false;
    },
  );
}

export function startUpload(item, file, kind, key) {
  item._file = file;
  item.dataset.upload = "pending";
  setStatus(item, { state: "waiting", text: msg.msgWaiting });
  const job = queue.add({
    file,
    kind,
    key,
    onProgress(percent) {
      setStatus(item, { state: "uploading", progress: percent, text: `${percent}%` });
    },
    onOffline() {
      setStatus(item, { state: "waiting", text: msg.msgUploadOffline });
    },
  });
  item._job = job;
  item.dataset.uploadKey = job.key;
  job.done.then(
    (asset) => {
      field(item, "image").value = asset.id;
      item.dataset.upload = "done";
      followCopies(item, asset);
      requestKeep();
    },
    (error) => {
      item.dataset.upload = "failed";
      const text = error.message || msg.msgNetwork;
      setStatus(item, { state: "failed", text: error.retryable ? text : `${text} ${msg.msgRemove}`, retryable: error.retryable });
    },
  );
  return job;
}

// Photos over the upload limit are made smaller here first, where the browser can decode them (a
// 48-megapixel JPEG from a new phone, a PNG screenshot): 4,096 px on the long side is more than any
// copy Karte shows. What it cannot decode goes as it is, and the server says plainly why it is refused.
const MAX_BYTES = Number(msg.maxBytes);
const LONG_SIDE = 4096;

async function fitUnderLimit(file) {
  if (file.size <= MAX_BYTES || !/^image\/(jpeg|png|webp)$/.test(file.type)) return file;
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    for (const quality of [0.9, 0.8, 0.7]) {
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
      if (blob && blob.size <= MAX_BYTES) {
        const name = `${file.name.replace(/\.[^.]*$/, "")}.jpg`;
        return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
      }
    }
  } catch {
    // Not decodable here: sent as it is.
  }
  return file;
}

// A preview only for what the browser can show (not a PDF, not HEIC outside Safari).
function canPreview(file) {
  return file.type.startsWith("image/") && file.type !== "image/heic" && file.type !== "image/heif";
}

export function addPhotos(files) {
  const items = [];
  for (const file of files) {
    const item = addItem("photo");
    items.push(item);
    if (canPreview(file)) showPreview(item, URL.createObjectURL(file));
    if (file.size > MAX_BYTES) {
      item._file = file; // kept in the draft while it is being made smaller
      setStatus(item, { state: "waiting", text: msg.msgShrinking });
      // Pending from the first moment: a save tapped while the photo is made smaller waits for
      // its upload, as for any other photo, instead of sending the karte without it.
      item.dataset.upload = "pending";
      item._job = {
        done: fitUnderLimit(file).then((fitted) =>
          item.dataset.upload === "removed" ? null : startUpload(item, fitted, "photo").done,
        ),
      };
    } else {
      startUpload(item, file, "photo");
    }
  }
  requestKeep();
  return items;
}
