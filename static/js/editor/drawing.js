// Hand-drawn illustrations: the drawing pad opens over the editor, and the drawing is uploaded as
// a picture, its strokes kept so it can be drawn on again.
import { DrawingPad } from "../drawing.js";
import { field, markDirty } from "./context.js";
import { showPreview } from "./items.js";
import { queue } from "./uploads.js";

const pad = new DrawingPad(document.getElementById("draw-dialog"));

export async function editDrawing(item) {
  const existing = field(item, "drawing").value;
  const result = await pad.open({
    strokes: existing ? JSON.parse(existing) : [],
    template: field(item, "template").value,
    upload: (blob) => queue.add({ file: blob, kind: "illustration", filename: "illustration.png" }).done,
  });
  if (!result) {
    if (!field(item, "image").value) item.remove();
    return;
  }
  field(item, "drawing").value = JSON.stringify(result.strokes);
  field(item, "template").value = result.template;
  field(item, "image").value = result.asset.id;
  showPreview(item, result.asset.small);
  markDirty();
}
