// The illustration pad: finger, stylus or mouse strokes over an optional outline.
// Strokes are kept as data (tool, colour, width, points) so an illustration can be
// reopened and edited stroke by stroke; the PNG is made from them when saved.

const WIDTH = 1200;
const HEIGHT = 900;

export function drawStroke(ctx, stroke) {
  ctx.save();
  ctx.globalCompositeOperation = stroke.tool === "eraser" ? "destination-out" : "source-over";
  ctx.strokeStyle = stroke.color;
  ctx.fillStyle = stroke.color;
  ctx.lineWidth = stroke.width;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  const points = stroke.points;
  if (points.length === 1) {
    ctx.beginPath();
    ctx.arc(points[0][0], points[0][1], stroke.width / 2, 0, Math.PI * 2);
    ctx.fill();
  } else {
    ctx.beginPath();
    ctx.moveTo(points[0][0], points[0][1]);
    for (let i = 1; i < points.length - 1; i += 1) {
      // Curves through the midpoints keep fast finger strokes smooth.
      const mx = (points[i][0] + points[i + 1][0]) / 2;
      const my = (points[i][1] + points[i + 1][1]) / 2;
      ctx.quadraticCurveTo(points[i][0], points[i][1], mx, my);
    }
    const last = points[points.length - 1];
    ctx.lineTo(last[0], last[1]);
    ctx.stroke();
  }
  ctx.restore();
}

export class DrawingPad {
  constructor(dialog) {
    this.dialog = dialog;
    this.canvas = dialog.querySelector("canvas");
    this.ctx = this.canvas.getContext("2d");
    this.outline = dialog.querySelector(".draw-stage__outline");
    this.templateSelect = dialog.querySelector("#draw-template");
    this.error = dialog.querySelector("#draw-error");
    this.saveButton = dialog.querySelector('[data-action="save"]');
    this.strokes = [];
    this.color = "#222222";
    this.width = 8;
    this.tool = "pen";
    this.current = null;
    this.bindTools();
    this.bindPointer();
  }

  bindTools() {
    this.dialog.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      if (button.dataset.color) {
        this.color = button.dataset.color;
        this.setTool("pen");
        this.press("[data-color]", button);
      } else if (button.dataset.width) {
        this.width = Number(button.dataset.width);
        this.press("[data-width]", button);
      } else if (button.dataset.tool === "eraser") {
        this.setTool(this.tool === "eraser" ? "pen" : "eraser");
      } else if (button.dataset.action === "undo") {
        this.strokes.pop();
        this.redraw();
      } else if (button.dataset.action === "clear") {
        if (this.strokes.length && window.confirm(this.dialog.dataset.msgClear)) {
          this.strokes = [];
          this.redraw();
        }
      } else if (button.dataset.action === "cancel") {
        this.finish(null);
      } else if (button.dataset.action === "save") {
        this.save();
      }
    });
    this.templateSelect.addEventListener("change", () => this.showTemplate(this.templateSelect.value));
    this.dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      this.finish(null);
    });
  }

  press(selector, button) {
    for (const other of this.dialog.querySelectorAll(selector)) other.setAttribute("aria-pressed", String(other === button));
  }

  setTool(tool) {
    this.tool = tool;
    this.dialog.querySelector('[data-tool="eraser"]').setAttribute("aria-pressed", String(tool === "eraser"));
    this.canvas.classList.toggle("is-erasing", tool === "eraser");
  }

  point(event) {
    const rect = this.canvas.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * WIDTH;
    const y = ((event.clientY - rect.top) / rect.height) * HEIGHT;
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
  }

  bindPointer() {
    this.canvas.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 && event.pointerType === "mouse") return;
      event.preventDefault();
      this.canvas.setPointerCapture(event.pointerId);
      // A stylus gives pressure; a finger or mouse does not, and gets the chosen width as it is.
      const scale = event.pointerType === "pen" && event.pressure > 0 ? 0.5 + event.pressure : 1;
      this.current = {
        tool: this.tool,
        color: this.color,
        width: (this.tool === "eraser" ? this.width * 2.5 : this.width) * scale,
        points: [this.point(event)],
      };
      this.strokes.push(this.current);
      this.redraw();
    });
    this.canvas.addEventListener("pointermove", (event) => {
      if (!this.current) return;
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      for (const each of events.length ? events : [event]) this.current.points.push(this.point(each));
      this.redraw();
    });
    const end = () => {
      this.current = null;
    };
    this.canvas.addEventListener("pointerup", end);
    this.canvas.addEventListener("pointercancel", end);
  }

  redraw() {
    this.ctx.clearRect(0, 0, WIDTH, HEIGHT);
    for (const stroke of this.strokes) drawStroke(this.ctx, stroke);
  }

  showTemplate(name) {
    this.templateSelect.value = name;
    if (name) {
      this.outline.src = `${this.dialog.dataset.templateBase}${name}.svg`;
      this.outline.hidden = false;
    } else {
      this.outline.removeAttribute("src");
      this.outline.hidden = true;
    }
  }

  open({ strokes = [], template = "", upload }) {
    this.strokes = structuredClone(strokes);
    this.upload = upload;
    this.error.hidden = true;
    this.saveButton.disabled = false;
    this.showTemplate(template);
    this.setTool("pen");
    this.redraw();
    this.dialog.showModal();
    return new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  finish(result) {
    this.dialog.close();
    this.resolve?.(result);
    this.resolve = null;
  }

  async render() {
    const out = document.createElement("canvas");
    out.width = WIDTH;
    out.height = HEIGHT;
    const ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, WIDTH, HEIGHT);
    if (!this.outline.hidden && this.outline.src) {
      await this.outline.decode().catch(() => {});
      ctx.drawImage(this.outline, 0, 0, WIDTH, HEIGHT);
    }
    ctx.drawImage(this.canvas, 0, 0);
    return new Promise((resolve) => out.toBlob(resolve, "image/png"));
  }

  async save() {
    this.saveButton.disabled = true;
    const label = this.saveButton.textContent;
    this.saveButton.textContent = this.dialog.dataset.msgSaving;
    this.error.hidden = true;
    try {
      const blob = await this.render();
      const asset = await this.upload(blob);
      this.finish({ asset, strokes: this.strokes, template: this.templateSelect.value });
    } catch (error) {
      this.error.textContent = error.message || this.dialog.dataset.msgNetwork;
      this.error.hidden = false;
    } finally {
      this.saveButton.disabled = false;
      this.saveButton.textContent = label;
    }
  }
}
