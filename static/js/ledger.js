// 予約台帳: drag an appointment onto another half-hour or staff member's column to move it. The
// drop asks first; the server decides (a clash comes back as a message and nothing moves). A tap
// without a drag still opens the appointment.

const ledger = document.querySelector("[data-ledger]");
const DRAG_PIXELS = 8;

function csrfToken() {
  return document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";
}

function slotAt(x, y) {
  return document.elementsFromPoint(x, y).find((element) => element.matches(".ledger__slot"));
}

function message(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
}

async function move(item, slot) {
  const [date, time] = slot.dataset.start.split("T");
  const body = new URLSearchParams({ date, time, staff: slot.dataset.staff, minutes: item.dataset.minutes });
  const response = await fetch(item.dataset.moveUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), "X-Karte-Move": "drag" },
    body,
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || response.statusText);
}

function draggable(item) {
  let start = null;
  let dragging = false;
  // A link is the browser's own to drag (a URL into another app); here a drag moves the booking.
  item.addEventListener("dragstart", (event) => event.preventDefault());
  item.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    start = { x: event.clientX, y: event.clientY, id: event.pointerId };
    dragging = false;
  });
  item.addEventListener("pointermove", (event) => {
    if (!start || event.pointerId !== start.id) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    if (!dragging && Math.hypot(dx, dy) < DRAG_PIXELS) return;
    if (!dragging) {
      dragging = true;
      item.setPointerCapture(event.pointerId);
      item.classList.add("ledger__appointment--dragging");
    }
    item.style.transform = `translate(${dx}px, ${dy}px)`;
    event.preventDefault();
  });
  const finish = async (event) => {
    if (!start || !dragging) {
      start = null;
      return;
    }
    start = null;
    item.classList.remove("ledger__appointment--dragging");
    item.style.pointerEvents = "none"; // so the slot under the finger is found, not the item itself
    const slot = slotAt(event.clientX, event.clientY);
    item.style.pointerEvents = "";
    item.style.transform = "";
    // The click that follows a drag must not open the appointment.
    item.addEventListener("click", (click) => click.preventDefault(), { once: true });
    if (!slot) return;
    const question = message(ledger.dataset.confirm, {
      customer: item.dataset.customer,
      time: slot.dataset.start.split("T")[1],
      staff: slot.dataset.staffName,
    });
    if (!window.confirm(question)) return;
    try {
      await move(item, slot);
      window.location.reload();
    } catch (error) {
      window.alert(error.message);
    }
  };
  item.addEventListener("pointerup", finish);
  item.addEventListener("pointercancel", () => {
    start = null;
    dragging = false;
    item.style.transform = "";
    item.classList.remove("ledger__appointment--dragging");
  });
}

if (ledger) {
  for (const item of ledger.querySelectorAll("[data-move-url]")) draggable(item);
}
