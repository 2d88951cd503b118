// The total of the menus picked, as the chips show their prices.
import { form } from "./context.js";

const totalLine = form.querySelector("[data-menu-total]");
const totalFormat = new Intl.NumberFormat(document.documentElement.lang || "ja");

export function showMenuTotal() {
  const prices = [...form.querySelectorAll('input[name="menu_items"]:checked')]
    .map((box) => box.dataset.price)
    .filter((price) => price !== "");
  totalLine.hidden = prices.length === 0;
  totalLine.querySelector("[data-menu-total-value]").textContent = totalFormat.format(
    prices.reduce((sum, price) => sum + Number(price), 0),
  );
}
