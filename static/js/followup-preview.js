// Each follow-up shows the message as the customer will get it while the owner types, with
// {customer} and {salon} put in the way followups.services.fill does on sending.
const form = document.querySelector(".followup-rules");

function fill(text) {
  return text.split("{customer}").join(`${form.dataset.customer}様`).split("{salon}").join(form.dataset.salon);
}

for (const rule of form.querySelectorAll(".followup-rule")) {
  const title = rule.querySelector('[name$="-title"]');
  const body = rule.querySelector('[name$="-body"]');
  const shownTitle = rule.querySelector("[data-preview-title]");
  const shownBody = rule.querySelector("[data-preview-body]");
  const update = () => {
    shownTitle.textContent = fill(title.value);
    shownBody.textContent = fill(body.value);
  };
  title.addEventListener("input", update);
  body.addEventListener("input", update);
}
form.dataset.ready = "true";
