// Colour recipe: rows of boxes on screen, kept as JSON in the item's hidden "recipe" field.
import { field } from "./context.js";

const recipeRowTemplate = document.getElementById("recipe-row-template");

export function addRecipeRow(item, values = {}) {
  const row = recipeRowTemplate.content.firstElementChild.cloneNode(true);
  for (const input of row.querySelectorAll("[data-recipe-cell]")) {
    input.value = values[input.dataset.recipeCell] || "";
  }
  item.querySelector("[data-recipe-rows]").append(row);
  return row;
}

export function renderRecipe(item) {
  let rows = [];
  try {
    rows = JSON.parse(field(item, "recipe").value || "[]");
  } catch {
    rows = [];
  }
  item.querySelector("[data-recipe-rows]").replaceChildren();
  for (const values of rows.length ? rows : [{}]) addRecipeRow(item, values);
}

export function keepRecipe(item) {
  const rows = [...item.querySelectorAll(".recipe__row")].map((row) =>
    Object.fromEntries([...row.querySelectorAll("[data-recipe-cell]")].map((input) => [input.dataset.recipeCell, input.value])),
  );
  field(item, "recipe").value = JSON.stringify(rows.filter((row) => Object.values(row).some((v) => v.trim())));
}
