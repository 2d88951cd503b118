// The draft: everything on screen, kept in this browser until the server confirms the save, and
// offered back when the editor is opened again.
import { deleteDraft, readDraft, writeDraft } from "../draft-store.js";
import { field, form, list, markDirty, msg, onKeep, state } from "./context.js";
import { addItem, clearItems, showPreview } from "./items.js";
import { showMenuTotal } from "./menus.js";
import { renderRecipe } from "./recipe.js";
import { followIfNotReady, startUpload } from "./uploads.js";

const draftKey = msg.draftKey;
let draftReady = false; // no writing until any older draft has been restored or discarded
let writing = null;
let writeAgain = false;

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
    angle: field(item, "angle").value,
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

export async function keepDraft() {
  if (!draftReady || !state.dirty) return;
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

onKeep(keepDraft);

export async function forgetDraft() {
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
  clearItems();
  for (const data of draft.items) {
    if (data.deleted && !data.id) continue;
    const item = addItem(data.kind);
    field(item, "id").value = data.id;
    field(item, "text").value = data.text;
    field(item, "caption").value = data.caption;
    field(item, "photo_tag").value = data.photoTag;
    field(item, "angle").value = data.angle || "";
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

export async function offerDraft() {
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
