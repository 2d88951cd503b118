// Drafts of the karte editor, kept in this browser (IndexedDB) from the first keystroke until the
// server confirms the save, so that a reload, a closed tab, a crash, an outage or an expired
// session loses nothing. Photos still waiting to upload are kept as files. Drafts hold personal
// data: they are removed when the save is confirmed and when staff log out.

const DB_NAME = "karte-drafts";
const STORE = "drafts";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(mode, work) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const result = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(result.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

export function readDraft(key) {
  return withStore("readonly", (store) => store.get(key));
}

export function writeDraft(draft) {
  return withStore("readwrite", (store) => store.put({ ...draft, savedAt: Date.now() }));
}

export function deleteDraft(key) {
  return withStore("readwrite", (store) => store.delete(key));
}

export function clearAllDrafts() {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}
