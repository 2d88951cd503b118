// Countdown for the link codes on a customer's page.
function tick() {
  for (const panel of document.querySelectorAll(".link-codes[data-expires]")) {
    const left = Math.max(0, Math.round((Date.parse(panel.dataset.expires) - Date.now()) / 1000));
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    panel.querySelector("[data-countdown]").textContent = `${minutes}:${seconds}`;
    if (left === 0) {
      panel.classList.add("is-expired");
      panel.querySelector(".countdown").hidden = true;
      panel.querySelector(".countdown-expired").hidden = false;
    }
  }
}
setInterval(tick, 1000);
document.addEventListener("htmx:afterSwap", tick);
