import { clearAllDrafts } from "./draft-store.js";

// Shared by every staff page: forms that change something hard to undo ask first.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// Drafts of unsent kartes hold personal data: logging out of a shared tablet removes them.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.matches("[data-clear-drafts]") || form.dataset.cleared) return;
  event.preventDefault();
  await clearAllDrafts();
  form.dataset.cleared = "true";
  form.submit();
});

// A heading reached by its #link (the karte just saved) lands below the sticky top bar, however
// many rows the bar takes at this width.
const topbar = document.querySelector(".topbar");
if (topbar) {
  const keepClear = () =>
    document.documentElement.style.setProperty("--topbar-height", `${topbar.offsetHeight}px`);
  new ResizeObserver(keepClear).observe(topbar);
  keepClear();
}

// "Undo" after a photo was made public stays a few seconds, longer while a finger or the focus is on it.
const UNDO_SECONDS = 8;
function expireUndo(toast) {
  let timer;
  const start = () => {
    clearTimeout(timer);
    timer = setTimeout(() => toast.remove(), UNDO_SECONDS * 1000);
  };
  toast.addEventListener("pointerenter", () => clearTimeout(timer));
  toast.addEventListener("focusin", () => clearTimeout(timer));
  toast.addEventListener("pointerleave", start);
  toast.addEventListener("focusout", start);
  start();
}
document.body.addEventListener("htmx:afterSwap", () => {
  const toasts = document.querySelectorAll("[data-undo-toast]:not([data-expiring])");
  for (const toast of toasts) {
    toast.dataset.expiring = "true";
    expireUndo(toast);
  }
});

// Our own 「ファイルを選ぶ」 button (the browser's says "Choose File" in its own language): it shows the
// name of the file chosen.
for (const picker of document.querySelectorAll("[data-file-pick]")) {
  const input = picker.querySelector('input[type="file"]');
  input.addEventListener("change", () => {
    const file = input.files[0];
    if (file) picker.querySelector("[data-file-name]").textContent = file.name;
  });
}

// 「コピー」 beside an address to send: copies it and says so on the button for a moment.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.querySelector(button.dataset.copy);
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    document.execCommand("copy");
  }
  const label = button.textContent;
  button.textContent = button.dataset.copied;
  setTimeout(() => (button.textContent = label), 2000);
});

// 「印刷」 buttons (recovery codes): the page's own print layout.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
