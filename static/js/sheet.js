// The counselling sheet on the phone: the signature pad, and sending without losing anything.
// The signature is drawn with the illustration pad's strokes and kept in the form as a PNG, so a
// page sent back with a question to fix still holds it. The form is sent with fetch: with no
// connection the page stays as it is, every answer and the signature with it.
import { drawStroke } from "./drawing.js";

const INK = { tool: "pen", color: "#1b1b1f", width: 5 };

function setUpSignature(box) {
  const canvas = box.querySelector("canvas");
  const input = box.querySelector('input[name="signature"]');
  const ctx = canvas.getContext("2d");
  let current = null;
  let drawn = false;

  function point(event) {
    const rect = canvas.getBoundingClientRect();
    return [((event.clientX - rect.left) / rect.width) * canvas.width, ((event.clientY - rect.top) / rect.height) * canvas.height];
  }

  function keep() {
    input.value = drawn ? canvas.toDataURL("image/png") : "";
  }

  if (input.value.startsWith("data:image/png")) {
    const earlier = new Image();
    earlier.onload = () => {
      ctx.drawImage(earlier, 0, 0, canvas.width, canvas.height);
      drawn = true;
    };
    earlier.src = input.value;
  }

  canvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 && event.pointerType === "mouse") return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    current = { ...INK, points: [point(event)] };
    drawStroke(ctx, current);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!current) return;
    current.points.push(point(event));
    const last = { ...INK, points: current.points.slice(-2) };
    drawStroke(ctx, last);
  });
  const end = () => {
    if (!current) return;
    current = null;
    drawn = true;
    keep();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  box.querySelector("[data-signature-clear]").addEventListener("click", () => {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
    keep();
  });
}

function setUp(root) {
  for (const box of root.querySelectorAll("[data-signature]")) setUpSignature(box);
  const form = root.querySelector("[data-sheet-form]");
  if (!form) return;
  const status = form.querySelector("[data-sheet-status]");
  const button = form.querySelector('button[type="submit"]');
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.hidden = false;
    status.textContent = form.dataset.msgSending;
    button.disabled = true;
    let response;
    try {
      response = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
    } catch {
      status.textContent = form.dataset.msgOffline;
      button.disabled = false;
      return;
    }
    if (response.status === 413) {
      // Refused before it was read: nothing was kept, so the page stays as it is.
      status.textContent = form.dataset.msgTooLarge;
      button.disabled = false;
      return;
    }
    if (response.redirected) {
      window.location.assign(response.url);
      return;
    }
    // The page again, with what needs another look marked: shown in place of this one.
    const next = new DOMParser().parseFromString(await response.text(), "text/html");
    const main = document.querySelector("main");
    main.replaceChildren(...next.querySelector("main").childNodes);
    setUp(main);
    const errors = main.querySelector("#sheet-errors") || main.querySelector('[role="alert"]');
    errors?.focus?.();
    errors?.scrollIntoView({ block: "start" });
  });
}

setUp(document);
