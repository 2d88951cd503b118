// The karte editor: adds and orders items, uploads photos one by one with progress, and
// keeps the form from being saved while a photo is still on its way.
import { UploadQueue } from "./upload-queue.js";
import { DrawingPad } from "./drawing.js";
import { deleteDraft, readDraft, writeDraft } from "./draft-store.js";
import { retryCopies, waitForCopies } from "./image-status.js";

const form = document.getElementById("karte-form");
const list = document.getElementById("items");
const template = document.getElementById("item-template");
const totalForms = form.querySelector('input[name="items-TOTAL_FORMS"]');
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
  markDirty();
  return item;
}

function field(item, name) {
  return item.querySelector(`[name$="-${name}"]`);
}

// ---- Colour recipe: rows of boxes on screen, kept as JSON in the item's hidden "recipe" field.
const recipeRowTemplate = document.getElementById("recipe-row-template");

function addRecipeRow(item, values = {}) {
  const row = recipeRowTemplate.content.firstElementChild.cloneNode(true);
  for (const input of row.querySelectorAll("[data-recipe-cell]")) {
    input.value = values[input.dataset.recipeCell] || "";
  }
  item.querySelector("[data-recipe-rows]").append(row);
  return row;
}

function renderRecipe(item) {
  let rows = [];
  try {
    rows = JSON.parse(field(item, "recipe").value || "[]");
  } catch {
    rows = [];
  }
  item.querySelector("[data-recipe-rows]").replaceChildren();
  for (const values of rows.length ? rows : [{}]) addRecipeRow(item, values);
}

function keepRecipe(item) {
  const rows = [...item.querySelectorAll(".recipe__row")].map((row) =>
    Object.fromEntries([...row.querySelectorAll("[data-recipe-cell]")].map((input) => [input.dataset.recipeCell, input.value])),
  );
  field(item, "recipe").value = JSON.stringify(rows.filter((row) => Object.values(row).some((v) => v.trim())));
}

for (const item of list.querySelectorAll('.editor-item[data-kind="recipe"]')) renderRecipe(item);

function liveItems() {
  return [...list.children].filter((item) => !item.hidden);
}

function renumber() {
  liveItems().forEach((item, position) => {
    field(item, "ORDER").value = String(position + 1);
  });
}

function setStatus(item, { state, progress = 0, text = "", retryable = true }) {
  const status = item.querySelector(".upload-status");
  status.hidden = state === "done";
  status.dataset.state = state;
  status.querySelector("progress").value = progress;
  status.querySelector(".upload-status__text").textContent = text;
  // 「再試行」 only where trying again can help: not for a file the server refused as it is.
  status.querySelector("[data-retry]").hidden = state !== "failed" || !retryable;
}

function statusUrlFor(imageId) {
  return msg.imageStatusUrl.replace("00000000-0000-0000-0000-000000000000", imageId);
}

// A stored photo whose copies are not made yet has no small copy to show: follow it as 「処理中」.
function followIfNotReady(item, imageId) {
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

function showPreview(item, url) {
  const img = item.querySelector(".editor-item__preview");
  img.src = url;
  img.hidden = false;
}

function startUpload(item, file, kind, key) {
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
      keepDraft();
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

function addPhotos(files) {
  for (const file of files) {
    const item = addItem("photo");
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
  keepDraft();
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
  markDirty();
}

form.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target) return;
  const item = target.closest(".editor-item");
  if (target.dataset.add === "text") {
    addItem("text").querySelector("textarea").focus();
  } else if (target.dataset.add === "recipe") {
    const recipe = addItem("recipe");
    renderRecipe(recipe);
    recipe.querySelector("[data-recipe-cell]").focus();
  } else if (target.dataset.copyRecipe !== undefined) {
    // 「前回のレシピを使う」: the last visit's rows and note, to adjust for today.
    const recipe = addItem("recipe");
    field(recipe, "recipe").value = target.dataset.copyRecipe;
    field(recipe, "text").value = target.dataset.copyNote || "";
    renderRecipe(recipe);
    recipe.scrollIntoView({ block: "center" });
  } else if (target.matches("[data-recipe-add]") && item) {
    addRecipeRow(item).querySelector("input").focus();
  } else if (target.matches("[data-recipe-remove]") && item) {
    target.closest(".recipe__row").remove();
    if (!item.querySelector(".recipe__row")) addRecipeRow(item);
    keepRecipe(item);
    markDirty();
  } else if (target.dataset.add === "illustration") {
    editDrawing(addItem("illustration"));
  } else if (target.matches("[data-edit-drawing]") && item) {
    editDrawing(item);
  } else if (target.dataset.move && item) {
    const siblings = liveItems();
    const index = siblings.indexOf(item);
    const other = siblings[index + Number(target.dataset.move)];
    if (other) {
      if (Number(target.dataset.move) < 0) other.before(item);
      else other.after(item);
      target.focus();
      markDirty();
    }
  } else if (target.matches("[data-remove]") && item) {
    item._job?.cancel();
    item.querySelector("[data-delete]").checked = true;
    item.hidden = true;
    item.dataset.upload = "removed";
    markDirty();
  } else if (target.matches("[data-retry]") && item && item.dataset.processing === "failed") {
    target.hidden = true;
    retryCopies(item._asset.retry_url, csrfToken).then(
      (state) => followCopies(item, state),
      () => {
        target.hidden = false;
      },
    );
  } else if (target.matches("[data-retry]") && item) {
    // The same key again: if the first attempt did reach the server, no second photo is made.
    startUpload(item, item._job.file, "photo", item._job.key);
  }
});

document.getElementById("photo-input").addEventListener("change", (event) => {
  addPhotos([...event.target.files]);
  event.target.value = "";
});

form.addEventListener("input", (event) => {
  if (event.target.dataset.recipeCell) keepRecipe(event.target.closest(".editor-item"));
});
form.addEventListener("input", markDirty);
form.addEventListener("change", markDirty);

// The total of the menus picked, as the chips show their prices.
const totalLine = form.querySelector("[data-menu-total]");
const totalFormat = new Intl.NumberFormat(document.documentElement.lang || "ja");

function showMenuTotal() {
  const prices = [...form.querySelectorAll('input[name="menu_items"]:checked')]
    .map((box) => box.dataset.price)
    .filter((price) => price !== "");
  totalLine.hidden = prices.length === 0;
  totalLine.querySelector("[data-menu-total-value]").textContent = totalFormat.format(
    prices.reduce((sum, price) => sum + Number(price), 0),
  );
}

form.addEventListener("change", (event) => {
  if (event.target.name === "menu_items") showMenuTotal();
});

// ---- The draft: everything on screen, kept in this browser until the server confirms the save.

const draftKey = msg.draftKey;
let draftReady = false; // no writing until any older draft has been restored or discarded
let writing = null;
let writeAgain = false;

function markDirty() {
  dirty = true;
  keepDraft();
}

function snapshot() {
  const fields = {};
  for (const name of ["treatment_date", "staff", "menu", "next_visit_weeks", "version", "client_key", "save_key"]) {
    const input = form.elements.namedItem(name);
    if (input) fields[name] = input.value;
  }
  const nominated = form.elements.namedItem("nominated").checked;
  const menuItems = [...form.querySelectorAll('input[name="menu_items"]:checked')].map((box) => box.value);
  const items = [...list.children].map((item) => ({
    id: field(item, "id").value,
    kind: field(item, "kind").value,
    text: field(item, "text").value,
    caption: field(item, "caption").value,
    photoTag: field(item, "photo_tag").value,
    image: field(item, "image").value,
    drawing: field(item, "drawing").value,
    template: field(item, "template").value,
    recipe: field(item, "recipe").value,
    isPublic: field(item, "is_public").checked,
    deleted: item.querySelector("[data-delete]").checked,
    preview: item.querySelector(".editor-item__preview").getAttribute("src") || "",
    // A photo still on its way is kept as the file itself, with its key, to be sent again.
    upload: item.dataset.upload === "pending" || item.dataset.upload === "failed" ? item.dataset.upload : "",
    uploadKey: item.dataset.uploadKey || "",
    file: item.dataset.upload === "pending" || item.dataset.upload === "failed" ? item._file || null : null,
  }));
  return { key: draftKey, fields, nominated, menuItems, items };
}

async function keepDraft() {
  if (!draftReady || !dirty) return;
  if (writing) {
    writeAgain = true;
    return;
  }
  writing = writeDraft(snapshot()).catch(() => {});
  await writing;
  writing = null;
  if (writeAgain) {
    writeAgain = false;
    keepDraft();
  }
}

async function forgetDraft() {
  draftReady = false;
  await writing;
  await deleteDraft(draftKey).catch(() => {});
}

function imageUrl(id) {
  return msg.imageUrl.replace("00000000-0000-0000-0000-000000000000", id);
}

function restore(draft) {
  for (const [name, value] of Object.entries(draft.fields)) {
    const input = form.elements.namedItem(name);
    if (input) input.value = value;
  }
  form.elements.namedItem("nominated").checked = Boolean(draft.nominated);
  if (draft.menuItems) {
    for (const box of form.querySelectorAll('input[name="menu_items"]')) {
      box.checked = draft.menuItems.includes(box.value);
    }
    showMenuTotal();
  }
  list.replaceChildren();
  totalForms.value = "0";
  for (const data of draft.items) {
    if (data.deleted && !data.id) continue;
    const item = addItem(data.kind);
    field(item, "id").value = data.id;
    field(item, "text").value = data.text;
    field(item, "caption").value = data.caption;
    field(item, "photo_tag").value = data.photoTag;
    field(item, "image").value = data.image;
    field(item, "drawing").value = data.drawing;
    field(item, "template").value = data.template;
    field(item, "recipe").value = data.recipe || "";
    if (data.kind === "recipe") renderRecipe(item);
    field(item, "is_public").checked = data.isPublic;
    if (data.deleted) {
      item.querySelector("[data-delete]").checked = true;
      item.hidden = true;
      item.dataset.upload = "removed";
      continue;
    }
    if (data.image) {
      showPreview(item, imageUrl(data.image));
      item.dataset.upload = "done";
      followIfNotReady(item, data.image);
    } else if (data.file) {
      if (data.file.type && !data.file.type.includes("hei")) showPreview(item, URL.createObjectURL(data.file));
      // The same key as before: a photo that did reach the server is not stored twice.
      startUpload(item, data.file, data.kind, data.uploadKey || undefined);
    }
  }
}

const banner = document.getElementById("draft-banner");

async function offerDraft() {
  let draft = null;
  try {
    draft = await readDraft(draftKey);
  } catch {
    draftReady = true; // private browsing without IndexedDB: the editor still works
    return;
  }
  if (form.dataset.bound === "true" || !draft) {
    // A page the server sent back with the staff member's own input (a check failed): that is
    // the draft now.
    draftReady = true;
    if (form.dataset.bound === "true") markDirty();
    return;
  }
  banner.querySelector("[data-draft-time]").textContent = new Date(draft.savedAt).toLocaleString(
    document.documentElement.lang,
  );
  banner.hidden = false;
  // Until staff choose, the form waits: typing into it now would have to either overwrite the
  // kept draft or go unkept.
  form.inert = true;
  banner.addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.matches("[data-draft-restore]")) {
      banner.hidden = true;
      form.inert = false;
      restore(draft);
      draftReady = true;
      markDirty();
    } else {
      // The banner goes once the draft is gone, so a reload right after cannot bring it back.
      await deleteDraft(draftKey).catch(() => {});
      banner.hidden = true;
      form.inert = false;
      draftReady = true;
    }
  });
}

// ---- Saving: sent in the background and sent again until the server has it.

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
      dirty = false;
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
      dirty = false;
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
  if (dirty) {
    event.preventDefault();
    event.returnValue = msg.msgLeave;
  }
});

// Items rendered by the server after a failed save already carry their uploaded image.
for (const item of list.children) {
  if (item.querySelector("[data-delete]").checked) item.hidden = true;
  const imageId = field(item, "image")?.value;
  if (imageId) {
    item.dataset.upload = "done";
    followIfNotReady(item, imageId);
  }
}

offerDraft().finally(() => {
  form.dataset.ready = "true";
});
