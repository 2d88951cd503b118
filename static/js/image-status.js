// Follows a photo whose display copies the server is still making (「処理中」): asks its status
// now and then until the copies are ready or the processing failed, and returns that state.

const STEPS_MS = [800, 1200, 2000, 3000, 5000];

export async function waitForCopies(statusUrl, { stillWanted = () => true } = {}) {
  for (let attempt = 0; stillWanted(); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, STEPS_MS[Math.min(attempt, STEPS_MS.length - 1)]));
    try {
      const response = await fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.status === 404) return null; // the photo was removed
      if (!response.ok) continue; // an outage: ask again later
      const state = await response.json();
      if (state.status !== "processing") return state;
    } catch {
      // Offline for a moment: keep asking.
    }
  }
  return null;
}

export async function retryCopies(retryUrl, csrfToken) {
  const response = await fetch(retryUrl, {
    method: "POST",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
    credentials: "same-origin",
  });
  if (!response.ok) throw new Error(String(response.status));
  return response.json();
}

// Pages that list saved photos (the customer's history): each 「処理中」 tile turns into its
// photo when ready, or shows why it failed with a retry where a retry can help.
export function watchPendingTiles(root = document) {
  const csrfToken = document.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
  for (const tile of root.querySelectorAll("[data-image-pending]")) {
    follow(tile, csrfToken);
  }
}

async function follow(tile, csrfToken) {
  const state = await waitForCopies(tile.dataset.statusUrl, { stillWanted: () => tile.isConnected });
  if (!state) return;
  if (state.status === "ready") {
    const img = document.createElement("img");
    img.src = state.small;
    img.alt = tile.dataset.alt || "";
    img.width = 160;
    img.height = 120;
    tile.replaceWith(img);
    return;
  }
  tile.querySelector("[data-pending-text]").textContent = state.error;
  tile.dataset.state = "failed";
  const retry = tile.querySelector("[data-pending-retry]");
  if (state.retry_url) {
    retry.hidden = false;
    retry.onclick = async (event) => {
      event.preventDefault();
      retry.hidden = true;
      try {
        await retryCopies(state.retry_url, csrfToken);
      } catch {
        retry.hidden = false;
        return;
      }
      tile.dataset.state = "processing";
      tile.querySelector("[data-pending-text]").textContent = tile.dataset.processingText;
      follow(tile, csrfToken);
    };
  }
}

if (document.querySelector("[data-image-pending]")) watchPendingTiles();
