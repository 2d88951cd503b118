// Service worker of one salon's customer app, scoped to its own path.
// Pages and photos always come from the network first, so unpublishing or unlinking takes
// effect at once; what the customer has already seen is kept to show offline.
const CONFIG = {{ config|safe }};
const SCOPE = CONFIG.scope;
const SHELL_CACHE = `karte-shell-${CONFIG.slug}-${CONFIG.version}`;
const PERSONAL_CACHE = `karte-personal-${CONFIG.slug}`;
const SHELL = CONFIG.shell;
const NEVER_CACHED = [SCOPE + "link/", SCOPE + "unlink/", SCOPE + "sw.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(`karte-shell-${CONFIG.slug}-`) && name !== SHELL_CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "clear-personal") {
    event.waitUntil(caches.delete(PERSONAL_CACHE));
  }
});

async function networkFirst(request) {
  const cache = await caches.open(PERSONAL_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") {
      cache.put(request, response.clone());
    } else if ([401, 403, 404, 410].includes(response.status)) {
      cache.delete(request);
    } else if (response.status >= 500) {
      // The server is busy or down: what the customer saw before is better than an error.
      const cached = await cache.match(request);
      if (cached) return cached;
    }
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) return cached;
    if (request.mode === "navigate") {
      const home = await cache.match(SCOPE);
      if (home) return home;
    }
    throw error;
  }
}

async function shellFirst(request) {
  const cached = await caches.match(request, { cacheName: SHELL_CACHE });
  return cached || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (SHELL.includes(url.pathname)) {
    event.respondWith(shellFirst(request));
  } else if (url.pathname.startsWith(SCOPE) && !NEVER_CACHED.some((path) => url.pathname.startsWith(path))) {
    event.respondWith(networkFirst(request));
  }
});
