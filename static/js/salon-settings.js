// Salon settings: the home-screen preview follows what the owner types, and the long list of
// time zones can be searched.
const form = document.querySelector("[data-salon-settings]");

const icon = form.querySelector("[data-icon-preview]");
const title = form.querySelector("[data-title-preview]");
const field = (name) => form.elements.namedItem(name);
let logoUrl = null;
let timer = null;

function refreshPreview() {
  if (!icon) return;
  const name = field("name").value.trim();
  const appName = field("app_name").value.trim();
  title.textContent = appName || name;
  if (logoUrl) {
    icon.src = logoUrl; // a logo just chosen is the icon; it is drawn on white once saved
    return;
  }
  const query = new URLSearchParams({ name, app_name: appName, theme_color: field("theme_color").value });
  icon.src = `${form.dataset.previewUrl}?${query}`;
}

for (const name of ["name", "app_name", "theme_color"]) {
  field(name).addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 250);
  });
}

const logoInput = field("logo_upload");
const logoPreview = form.querySelector("[data-logo-preview]");
logoInput.addEventListener("change", () => {
  if (logoUrl) URL.revokeObjectURL(logoUrl);
  const file = logoInput.files[0];
  logoUrl = file ? URL.createObjectURL(file) : null;
  form.querySelector("[data-file-name]").textContent = file ? file.name : "";
  if (logoUrl) {
    logoPreview.src = logoUrl;
    logoPreview.hidden = false;
    form.querySelector("[data-logo-none]").hidden = true;
  }
  refreshPreview();
});

// Typing narrows the list to the zones whose name holds what was typed (Tokyo, Asia/Seoul…).
const filter = form.querySelector("[data-timezone-filter]");
const zones = field("timezone");
filter.addEventListener("input", () => {
  const wanted = filter.value.trim().toLowerCase().replace(/\s+/g, "_");
  let first = null;
  for (const option of zones.options) {
    const shown = !wanted || option.value.toLowerCase().includes(wanted);
    option.hidden = !shown;
    if (shown && !first) first = option;
  }
  for (const group of zones.querySelectorAll("optgroup")) {
    group.hidden = ![...group.children].some((option) => !option.hidden);
  }
  if (first && zones.selectedOptions[0]?.hidden) zones.value = first.value;
});
