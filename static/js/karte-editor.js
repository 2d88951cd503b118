// The karte editor: adds and orders items, uploads photos one by one with progress, and
// keeps the form from being saved while a photo is still on its way.
import { UploadQueue } from "./upload-queue.js";
import { DrawingPad } from "./drawing.js";

const form = document.getElementById("karte-form");
const list = document.getElementById("items");
const template = document.getElementById("item-template");
const totalForms = form.querySelector('input[name="items-TOTAL_FORMS"]');
const blocker = document.getElementById("submit-blocker");
const msg = form.dataset;
const csrfToken = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
let dirty = false;

const queue = new UploadQueue({ url: msg.uploadUrl, csrfToken, concurrency: 2 });

function addItem(kind) {
  const index = Number(totalForms.value);
  const html = template.innerHTML.replaceAll("__prefix__", String(index));
  const holder = document.createElement("template");
  holder.innerHTML = html.trim();
  const item = holder.content.firstElementChild;
  item.dataset.kind = kind;
  item.querySelector('input[name$="-kind"]').value = kind;
  list.append(item);
  totalForms.value = String(index + 1);
  dirty = true;
  return item;
}

function field(item, name) {
  return item.querySelector(`[name$="-${name}"]`);
}

function liveItems() {
  return [...list.children].filter((item) => !item.hidden);
}

function renumber() {
  liveItems().forEach((item, position) => {
    field(item, "ORDER").value = String(position + 1);
  });
}

function setStatus(item, { state, progress = 0, text = "" }) {
  const status = item.querySelector(".upload-status");
  status.hidden = state === "done";
  status.dataset.state = state;
  status.querySelector("progress").value = progress;
  status.querySelector(".upload-status__text").textContent = text;
  status.querySelector("[data-retry]").hidden = state !== "failed";
}

function showPreview(item, url) {
  const img = item.querySelector(".editor-item__preview");
  img.src = url;
  img.hidden = false;
}

function startUpload(item, file, kind, key) {
  item.dataset.upload = "pending";
  setStatus(item, { state: "waiting", text: msg.msgWaiting });
  const job = queue.add({
    file,
    kind,
    key,
    onProgress(percent) {
      setStatus(item, { state: "uploading", progress: percent, text: `${percent}%` });
    },
  });
  item._job = job;
  job.done.then(
    (asset) => {
      field(item, "image").value = asset.id;
      showPreview(item, asset.small);
      item.dataset.upload = "done";
      setStatus(item, { state: "done", progress: 100, text: msg.msgDone });
    },
    (error) => {
      item.dataset.upload = "failed";
      setStatus(item, { state: "failed", text: error.message || msg.msgNetwork });
    },
  );
  return job;
}

function addPhotos(files) {
  for (const file of files) {
    const item = addItem("photo");
    if (file.type && file.type !== "image/heic" && file.type !== "image/heif") {
      showPreview(item, URL.createObjectURL(file));
    }
    startUpload(item, file, "photo");
  }
}

const pad = new DrawingPad(document.getElementById("draw-dialog"));

async function editDrawing(item) {
  const existing = field(item, "drawing").value;
  const result = await pad.open({
    strokes: existing ? JSON.parse(existing) : [],
    template: field(item, "template").value,
    upload: (blob) => queue.add({ file: blob, kind: "illustration", filename: "illustration.png" }).done,
  });
  if (!result) {
    if (!field(item, "image").value) item.remove();
    return;
  }
  field(item, "drawing").value = JSON.stringify(result.strokes);
  field(item, "template").value = result.template;
  field(item, "image").value = result.asset.id;
  showPreview(item, result.asset.small);
  dirty = true;
}

form.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target) return;
  const item = target.closest(".editor-item");
  if (target.dataset.add === "text") {
    addItem("text").querySelector("textarea").focus();
  } else if (target.dataset.add === "illustration") {
    editDrawing(addItem("illustration"));
  } else if (target.matches("[data-edit-drawing]") && item) {
    editDrawing(item);
  } else if (target.dataset.menu) {
    const menu = form.querySelector('input[name="menu"]');
    const parts = menu.value.split(/[、,]\s*/).filter(Boolean);
    if (!parts.includes(target.dataset.menu)) parts.push(target.dataset.menu);
    menu.value = parts.join("、");
    dirty = true;
  } else if (target.dataset.move && item) {
    const siblings = liveItems();
    const index = siblings.indexOf(item);
    const other = siblings[index + Number(target.dataset.move)];
    if (other) {
      if (Number(target.dataset.move) < 0) other.before(item);
      else other.after(item);
      target.focus();
      dirty = true;
    }
  } else if (target.matches("[data-remove]") && item) {
    item._job?.cancel();
    item.querySelector("[data-delete]").checked = true;
    item.hidden = true;
    item.dataset.upload = "removed";
    dirty = true;
  } else if (target.matches("[data-retry]") && item) {
    // The same key again: if the first attempt did reach the server, no second photo is made.
    startUpload(item, item._job.file, "photo", item._job.key);
  }
});

document.getElementById("photo-input").addEventListener("change", (event) => {
  addPhotos([...event.target.files]);
  event.target.value = "";
});

form.addEventListener("input", () => {
  dirty = true;
});

form.addEventListener("submit", (event) => {
  const items = liveItems();
  const pending = items.some((item) => item.dataset.upload === "pending");
  const failed = items.some((item) => item.dataset.upload === "failed");
  if (pending || failed) {
    event.preventDefault();
    blocker.textContent = pending ? msg.msgUploading : msg.msgFailed;
    blocker.hidden = false;
    blocker.scrollIntoView({ block: "center" });
    return;
  }
  renumber();
  if (form.dataset.nativeSubmit === "true") return;
  event.preventDefault();
  save();
});

// The save is sent in the background first: if the connection drops, everything stays on
// screen and is sent again when the tablet is back online (the form's key and version make
// a repeated save harmless). Anything but a clean save is handed to a normal submit so the
// server's page, with its messages, is shown.
const saveButton = form.querySelector('button[type="submit"]');
async function save() {
  blocker.hidden = true;
  saveButton.disabled = true;
  let response;
  try {
    response = await fetch(window.location.href, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Karte-Save": "fetch", "X-CSRFToken": csrfToken },
      credentials: "same-origin",
    });
  } catch {
    saveButton.disabled = false;
    blocker.textContent = msg.msgOffline;
    blocker.hidden = false;
    window.addEventListener("online", save, { once: true });
    return;
  }
  const data = response.headers.get("Content-Type")?.includes("application/json") ? await response.json() : null;
  if (data?.redirect) {
    dirty = false;
    window.location.assign(data.redirect);
    return;
  }
  dirty = false;
  form.dataset.nativeSubmit = "true";
  form.submit();
}

window.addEventListener("beforeunload", (event) => {
  if (dirty) {
    event.preventDefault();
    event.returnValue = msg.msgLeave;
  }
});

// Items rendered by the server after a failed save already carry their uploaded image.
for (const item of list.children) {
  if (item.querySelector("[data-delete]").checked) item.hidden = true;
  if (field(item, "image")?.value) item.dataset.upload = "done";
}

form.dataset.ready = "true";
