// Before/after: the range input moves the split line. On the phone's karte page, in the staff
// preview of it, which render the same markup, and on the staff customer page.
for (const range of document.querySelectorAll("[data-compare]")) {
  const stage = range.closest(".compare").querySelector(".compare__stage");
  range.addEventListener("input", () => stage.style.setProperty("--split", `${range.value}%`));
}

function show(image, source, srcset, width, height, alt) {
  image.removeAttribute("srcset");
  image.src = source;
  if (srcset) image.srcset = srcset;
  image.width = Number(width);
  image.height = Number(height);
  image.alt = alt;
}

// 「比べる写真」: for an angle of this visit's photos, its own before photo or an earlier visit's of the
// same angle; the slider shows the chosen pair.
for (const select of document.querySelectorAll("[data-compare-with]")) {
  const compare = select.closest(".compare");
  const before = compare.querySelector(".compare__before");
  const after = compare.querySelector(".compare__stage img:not(.compare__before)");
  const beforeLabel = compare.querySelector("[data-compare-label]");
  const afterLabel = compare.querySelector("[data-compare-after-label]");
  const angle = compare.querySelector("[data-compare-angle]");
  const heading = compare.getAttribute("aria-label").replace(/ \(.*\)$/, "");
  select.addEventListener("change", () => {
    const chosen = select.selectedOptions[0].dataset;
    const label = select.selectedOptions[0].textContent.trim();
    show(before, chosen.src, chosen.srcset, chosen.width, chosen.height, label);
    show(after, chosen.afterSrc, chosen.afterSrcset, chosen.afterWidth, chosen.afterHeight, chosen.afterLabel);
    beforeLabel.textContent = label;
    afterLabel.textContent = chosen.afterLabel;
    angle.textContent = chosen.angle;
    angle.hidden = !chosen.angle;
    compare.setAttribute("aria-label", chosen.angle ? `${heading} (${chosen.angle})` : heading);
  });
  select.closest("label").hidden = false;
}
