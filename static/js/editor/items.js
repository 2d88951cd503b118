// The items of a karte: added from the template, put in order, each with its upload status line.
import { field, form, list, markDirty } from "./context.js";

const template = document.getElementById("item-template");
const totalForms = form.querySelector('input[name="items-TOTAL_FORMS"]');

export function addItem(kind) {
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

// Every item goes, and the numbering starts again (a draft being restored).
export function clearItems() {
  list.replaceChildren();
  totalForms.value = "0";
}

export function liveItems() {
  return [...list.children].filter((item) => !item.hidden);
}

export function renumber() {
  liveItems().forEach((item, position) => {
    field(item, "ORDER").value = String(position + 1);
  });
}

export function moveItem(item, step) {
  const siblings = liveItems();
  const other = siblings[siblings.indexOf(item) + step];
  if (!other) return false;
  if (step < 0) other.before(item);
  else other.after(item);
  markDirty();
  return true;
}

export function setStatus(item, { state, progress = 0, text = "", retryable = true }) {
  const status = item.querySelector(".upload-status");
  status.hidden = state === "done";
  status.dataset.state = state;
  status.querySelector("progress").value = progress;
  status.querySelector(".upload-status__text").textContent = text;
  // 「再試行」 only where trying again can help: not for a file the server refused as it is.
  status.querySelector("[data-retry]").hidden = state !== "failed" || !retryable;
}

export function showPreview(item, url) {
  const img = item.querySelector(".editor-item__preview");
  img.src = url;
  img.hidden = false;
}
