// Before/after: the range input moves the split line. On the phone's karte page and in the staff
// preview of it, which render the same markup.
for (const range of document.querySelectorAll("[data-compare]")) {
  const stage = range.closest(".compare").querySelector(".compare__stage");
  range.addEventListener("input", () => stage.style.setProperty("--split", `${range.value}%`));
}
