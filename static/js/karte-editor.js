// The karte editor: adds and orders items, uploads photos one by one with progress, keeps a draft
// in this browser, and saves in the background without losing what was entered. Each subject is a
// module of its own under editor/; this one wires the page's buttons and fields to them.
import { cameraAvailable, openCamera } from "./editor/camera.js";
import { field, form, list, markDirty } from "./editor/context.js";
import { offerDraft } from "./editor/drafts.js";
import { editDrawing } from "./editor/drawing.js";
import { addItem, moveItem } from "./editor/items.js";
import { showMenuTotal } from "./editor/menus.js";
import { addRecipeRow, keepRecipe, renderRecipe } from "./editor/recipe.js";
import { startSaving } from "./editor/saving.js";
import { addPhotos, followIfNotReady, retryProcessing, startUpload } from "./editor/uploads.js";

for (const item of list.querySelectorAll('.editor-item[data-kind="recipe"]')) renderRecipe(item);

form.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target) return;
  const item = target.closest(".editor-item");
  if (target.dataset.add === "text") {
    addItem("text").querySelector("textarea").focus();
  } else if (target.dataset.add === "recipe") {
    const recipe = addItem("recipe");
    renderRecipe(recipe);
    recipe.querySelector("[data-recipe-cell]").focus();
  } else if (target.dataset.copyRecipe !== undefined) {
    // 「前回のレシピを使う」: the last visit's rows and note, to adjust for today.
    const recipe = addItem("recipe");
    field(recipe, "recipe").value = target.dataset.copyRecipe;
    field(recipe, "text").value = target.dataset.copyNote || "";
    renderRecipe(recipe);
    recipe.scrollIntoView({ block: "center" });
  } else if (target.matches("[data-recipe-add]") && item) {
    addRecipeRow(item).querySelector("input").focus();
  } else if (target.matches("[data-recipe-remove]") && item) {
    target.closest(".recipe__row").remove();
    if (!item.querySelector(".recipe__row")) addRecipeRow(item);
    keepRecipe(item);
    markDirty();
  } else if (target.dataset.add === "illustration") {
    editDrawing(addItem("illustration"));
  } else if (target.matches("[data-edit-drawing]") && item) {
    editDrawing(item);
  } else if (target.dataset.move && item) {
    if (moveItem(item, Number(target.dataset.move))) target.focus();
  } else if (target.matches("[data-remove]") && item) {
    item._job?.cancel();
    item.querySelector("[data-delete]").checked = true;
    item.hidden = true;
    item.dataset.upload = "removed";
    markDirty();
  } else if (target.matches("[data-retry]") && item && item.dataset.processing === "failed") {
    retryProcessing(item, target);
  } else if (target.matches("[data-retry]") && item) {
    // The same key again: if the first attempt did reach the server, no second photo is made.
    startUpload(item, item._job.file, "photo", item._job.key);
  }
});

const cameraButton = document.querySelector("[data-open-camera]");
if (cameraAvailable()) {
  cameraButton.hidden = false;
  cameraButton.addEventListener("click", openCamera);
}

document.getElementById("photo-input").addEventListener("change", (event) => {
  addPhotos([...event.target.files]);
  event.target.value = "";
});

form.addEventListener("input", (event) => {
  if (event.target.dataset.recipeCell) keepRecipe(event.target.closest(".editor-item"));
});
form.addEventListener("input", markDirty);
form.addEventListener("change", markDirty);
form.addEventListener("change", (event) => {
  if (event.target.name === "menu_items") showMenuTotal();
});

startSaving();

// Items rendered by the server after a failed save already carry their uploaded image.
for (const item of list.children) {
  if (item.querySelector("[data-delete]").checked) item.hidden = true;
  const imageId = field(item, "image")?.value;
  if (imageId) {
    item.dataset.upload = "done";
    followIfNotReady(item, imageId);
  }
}

offerDraft().finally(() => {
  form.dataset.ready = "true";
});
