// The print pages: the 「印刷」 button opens the browser's print dialog once the photos are in.
const button = document.querySelector("[data-print]");

async function photosLoaded() {
  await Promise.all(
    [...document.images].map((image) =>
      image.complete
        ? null
        : new Promise((done) => {
            image.addEventListener("load", done, { once: true });
            image.addEventListener("error", done, { once: true });
          }),
    ),
  );
}

button.addEventListener("click", async () => {
  button.disabled = true;
  await photosLoaded();
  button.disabled = false;
  window.print();
});
