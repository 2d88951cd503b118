// Ready-made texts fill the notice form; staff then edit them as they like.
const form = document.querySelector(".notice-form");
form.addEventListener("click", (event) => {
  const starter = event.target.closest("[data-starter-title]");
  if (!starter) return;
  const title = form.querySelector('[name="title"]');
  const body = form.querySelector('[name="body"]');
  const replacing = title.value || body.value;
  if (replacing && !window.confirm(starter.closest(".chips").dataset.confirm)) return;
  title.value = starter.dataset.starterTitle;
  body.value = starter.dataset.starterBody;
  body.focus();
});
form.dataset.ready = "true";
