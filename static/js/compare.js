// Before/after: the range input moves the split line. On the phone's karte page, in the staff
// preview of it, which render the same markup, and on the staff customer page.
for (const range of document.querySelectorAll("[data-compare]")) {
  const stage = range.closest(".compare").querySelector(".compare__stage");
  range.addEventListener("input", () => stage.style.setProperty("--split", `${range.value}%`));
}

// 「比べる写真」: this visit's before photo or an earlier visit's of the same angle takes the left side.
for (const select of document.querySelectorAll("[data-compare-with]")) {
  const compare = select.closest(".compare");
  const before = compare.querySelector(".compare__before");
  const label = compare.querySelector("[data-compare-label]");
  select.addEventListener("change", () => {
    const chosen = select.selectedOptions[0];
    before.removeAttribute("srcset");
    before.src = chosen.dataset.src;
    if (chosen.dataset.srcset) before.srcset = chosen.dataset.srcset;
    before.width = Number(chosen.dataset.width);
    before.height = Number(chosen.dataset.height);
    before.alt = chosen.textContent.trim();
    label.textContent = chosen.textContent.trim();
  });
  select.closest("label").hidden = false;
}
