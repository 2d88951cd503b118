// What every part of the karte editor shares: the form, its list of items, the page's messages
// (data- attributes), and whether anything was changed since the page was loaded or saved.
export const form = document.getElementById("karte-form");
export const list = document.getElementById("items");
export const msg = form.dataset;
export const csrfToken = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
export const state = { dirty: false };

const keepers = [];

// The drafts module asks to hear when there is something new to keep.
export function onKeep(keeper) {
  keepers.push(keeper);
}

// Something worth keeping changed (a photo's upload finished): keep it, without marking a change.
export function requestKeep() {
  for (const keeper of keepers) keeper();
}

// Staff changed something: leaving the page now asks first, and the draft is kept.
export function markDirty() {
  state.dirty = true;
  requestKeep();
}

export function field(item, name) {
  return item.querySelector(`[name$="-${name}"]`);
}
