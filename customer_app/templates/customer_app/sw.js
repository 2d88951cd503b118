// Service worker of one salon's customer app, scoped to its own path.
// Pages and photos always come from the network first, so unpublishing or unlinking takes
// effect at once; what the customer has already seen is kept to show offline.
const CONFIG = {{ config|safe }};
const SCOPE = CONFIG.scope;
const SHELL_CACHE = `karte-shell-${CONFIG.slug}-${CONFIG.version}`;
const PERSONAL_CACHE = `karte-personal-${CONFIG.slug}`;
const SHELL = CONFIG.shell;
const VISIBLE = SCOPE + "visible.json";
// The counselling sheet is a form sent online; with the customer's own answers in it, it is never kept.
const NEVER_CACHED = [SCOPE + "link/", SCOPE + "unlink/", SCOPE + "sw.js", SCOPE + "sheet/", VISIBLE];
// Paths that hold the customer's own records; everything else in scope (icons, manifest) is not personal.
const PERSONAL = [SCOPE + "kartes/", SCOPE + "timeline/", SCOPE + "images/", SCOPE + "notices/", SCOPE + "settings/", SCOPE + "salon/"];

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

// A response fetched before a pruning began may show what is no longer visible, and a copy still
// being written could land after the pruning: each pruning starts a new generation, waits for the
// writes under way, and responses of an older generation are not kept.
let generation = 0;
const writing = new Set();

function keep(cache, request, response) {
  const write = cache
    .put(request, response)
    .catch(() => {}) // a download cut short: the copy kept before stays
    .finally(() => writing.delete(write));
  writing.add(write);
}

// A photo already kept is asked for with its ETag: the server still checks that the customer may
// see it, and answers 304 without the bytes when it is unchanged.
async function revalidate(cache, request) {
  const cached = await cache.match(request);
  const etag = cached?.headers.get("ETag");
  if (!etag) return { response: await fetch(request), cached: null };
  const response = await fetch(request.url, { credentials: "same-origin", headers: { "If-None-Match": etag } });
  return { response, cached };
}

async function networkFirst(request) {
  const cache = await caches.open(PERSONAL_CACHE);
  const fetchedIn = generation;
  try {
    const isPhoto = new URL(request.url).pathname.startsWith(SCOPE + "images/");
    const { response, cached } = isPhoto ? await revalidate(cache, request) : { response: await fetch(request), cached: null };
    if (response.status === 304 && cached) return cached;
    if (response.ok && response.type === "basic") {
      if (fetchedIn === generation) keep(cache, request, response.clone());
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
      // A page this phone has not kept: the salon's offline page says so, with the way home.
      const offline = await caches.match(CONFIG.offline, { cacheName: SHELL_CACHE });
      if (offline) return offline;
    }
    throw error;
  }
}

function isPersonal(url) {
  return url.pathname === SCOPE || PERSONAL.some((path) => url.pathname.startsWith(path));
}

// The phone keeps only what the customer may see now: once online, anything the server no longer
// lists (an unpublished photo, a deleted karte, an ended notice) leaves the cache, and an unlinked
// or revoked phone loses everything personal.
async function prune() {
  generation += 1;
  await Promise.allSettled([...writing]);
  let response;
  try {
    response = await fetch(VISIBLE, { credentials: "same-origin", cache: "no-store" });
  } catch {
    return; // offline: keep what there is to read
  }
  if ([401, 403, 404, 410].includes(response.status)) {
    await caches.delete(PERSONAL_CACHE);
    return;
  }
  if (!response.ok) return;
  const allowed = new Set((await response.json()).urls.map((path) => new URL(path, self.location.origin).href));
  const cache = await caches.open(PERSONAL_CACHE);
  for (const request of await cache.keys()) {
    const url = new URL(request.url);
    if (isPersonal(url) && !allowed.has(url.href)) await cache.delete(request);
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
    const answered = networkFirst(request);
    event.respondWith(answered);
    // The worker stays alive until the copy is stored (and, after a page, the pruning is done).
    const stored = answered.then(() => Promise.allSettled([...writing]));
    event.waitUntil((request.mode === "navigate" ? stored.then(prune) : stored).catch(() => {}));
  }
});

// A push from the salon: its name and the notice's title, nothing else. Tapping it opens that
// notice, where it is read as any other (New goes, 閲覧数 counts).
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const url = typeof data.url === "string" && data.url.startsWith(SCOPE) ? data.url : SCOPE + "notices/";
  event.waitUntil(
    self.registration.showNotification(data.salon || CONFIG.name, {
      body: data.title || "",
      icon: CONFIG.icon,
      tag: url,
      data: { url },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || SCOPE, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => new URL(client.url).pathname.startsWith(SCOPE));
      if (open) return open.navigate(url).then((client) => (client || open).focus());
      return self.clients.openWindow(url);
    }),
  );
});
