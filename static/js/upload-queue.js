// Uploads files one job at a time per slot, with progress, automatic retries on a dropped
// connection, and a key per file chosen here so that the server stores each photo once
// however many times it is sent.

function uuid4() {
  // crypto.randomUUID exists only on secure origins; a salon tablet may reach us over plain http on the LAN.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const RETRY_DELAYS_MS = [1000, 3000, 8000, 15000];

class UploadError extends Error {
  constructor(message, { retryable, retryAfter = 0 }) {
    super(message);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }
}

export class UploadQueue {
  constructor({ url, csrfToken, concurrency = 2 }) {
    this.url = url;
    this.csrfToken = csrfToken;
    this.concurrency = concurrency;
    this.active = 0;
    this.waiting = [];
  }

  add({ file, kind = "photo", key = uuid4(), filename, onProgress = () => {}, onOffline = () => {} }) {
    const job = { file, kind, key, filename, onProgress, onOffline, cancelled: false, xhr: null };
    job.done = new Promise((resolve, reject) => {
      job.resolve = resolve;
      job.reject = reject;
    });
    job.cancel = () => {
      job.cancelled = true;
      job.xhr?.abort();
    };
    this.waiting.push(job);
    this.pump();
    return job;
  }

  pump() {
    while (this.active < this.concurrency && this.waiting.length) {
      const job = this.waiting.shift();
      if (job.cancelled) continue;
      this.active += 1;
      this.run(job).finally(() => {
        this.active -= 1;
        this.pump();
      });
    }
  }

  async run(job) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        job.resolve(await this.send(job));
        return;
      } catch (error) {
        if (job.cancelled) return;
        if (error.retryable && !navigator.onLine) {
          // Offline is not a failure: wait for the connection, then try again without counting it.
          job.onOffline();
          await new Promise((resolve) => window.addEventListener("online", resolve, { once: true }));
          attempt -= 1;
          continue;
        }
        if (!error.retryable || attempt >= RETRY_DELAYS_MS.length) {
          job.reject(error);
          return;
        }
        // The server says when it expects to be back (503 Retry-After); never sooner than our own step.
        const delay = Math.max(RETRY_DELAYS_MS[attempt], Math.min(error.retryAfter * 1000, 60000));
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  send(job) {
    return new Promise((resolve, reject) => {
      const body = new FormData();
      body.append("upload_key", job.key);
      body.append("kind", job.kind);
      body.append("file", job.file, job.filename || job.file.name || "upload");
      const xhr = new XMLHttpRequest();
      job.xhr = xhr;
      xhr.open("POST", this.url);
      xhr.setRequestHeader("X-CSRFToken", this.csrfToken);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.responseType = "json";
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) job.onProgress(Math.round((event.loaded / event.total) * 100));
      };
      xhr.onload = () => {
        if (xhr.status === 200 || xhr.status === 201) {
          resolve(xhr.response);
        } else {
          const message = xhr.response?.error || "";
          // A 503 says whether a resend can help: a full photo disk will not empty itself.
          const retryable = xhr.status === 503 ? xhr.response?.retryable !== false : xhr.status >= 500;
          const retryAfter = Number(xhr.getResponseHeader("Retry-After")) || 0;
          reject(new UploadError(message, { retryable: retryable || xhr.status === 0, retryAfter }));
        }
      };
      xhr.onerror = () => reject(new UploadError("", { retryable: true }));
      xhr.onabort = () => reject(new UploadError("", { retryable: false }));
      xhr.send(body);
    });
  }
}
