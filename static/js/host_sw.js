// The host pad's service worker (served as /h/sw.js, scope /h/: host pages only). A pad reloaded while the Wi-Fi is
// down opens from here, with its outbox of queued notes, instead of the browser's error page.
// It keeps the pad's page and the static files it loads, and nothing else: no API answers, no socket traffic, no
// photos. The page is stored under a hash of its link, never the link itself, and with its token removed (the page
// reads the token from the address it was opened with), so the cache holds no secret.
const CACHE = "wc-pad-v1";
const PAD = /^\/h\/[A-Za-z0-9_-]{16,}$/;
// What a pad needs to start; fetched at install, so the first reload without Wi-Fi already works.
const SHELL_ASSETS = [
  "/static/css/app.css",
  "/static/favicon.svg",
  "/static/js/host.js",
  "/static/js/common.js",
  "/static/js/live.js",
  "/static/js/timer.js",
  "/static/js/broadcasts.js",
  "/static/vendor/socket.io-4.8.4/socket.io.esm.min.js",
];

async function shellKey(pathname) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(pathname));
  const hex = [...new Uint8Array(digest)].slice(0, 16).map((b) => b.toString(16).padStart(2, "0")).join("");
  return `/h/shell/${hex}`;
}

/** Store a pad page (a fresh copy from the network) without its token; a refused link is forgotten. */
async function keep(pathname, response) {
  const cache = await caches.open(CACHE);
  const key = await shellKey(pathname);
  if (response.status === 401 || response.status === 403 || response.status === 404) {
    await cache.delete(key);
    return;
  }
  if (!response.ok || !(response.headers.get("Content-Type") || "").startsWith("text/html")) return;
  const token = pathname.split("/")[2];
  const html = (await response.text()).replaceAll(token, "");
  const headers = { "Content-Type": "text/html; charset=utf-8" };
  for (const name of ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"]) {
    const value = response.headers.get(name);
    if (value) headers[name] = value;
  }
  await cache.put(key, new Response(html, { headers }));
}

async function page(request) {
  const { pathname } = new URL(request.url);
  try {
    const response = await fetch(request);
    await keep(pathname, response.clone());
    return response;
  } catch {
    const cached = await (await caches.open(CACHE)).match(await shellKey(pathname));
    return cached || Response.error();
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch {
    return (await cache.match(request)) || Response.error();
  }
}

self.addEventListener("install", (e) => {
  // One by one: a file that cannot be fetched now is kept later, when the pad loads it; it must not stop the install.
  e.waitUntil(caches.open(CACHE)
    .then((cache) => Promise.all(SHELL_ASSETS.map((path) => cache.add(path).catch(() => null))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (e) => {
  e.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (e) => {
  const request = e.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && PAD.test(url.pathname)) e.respondWith(page(request));
  else if (url.pathname.startsWith("/static/")) e.respondWith(asset(request));
  // Everything else (API, Socket.IO, photos) goes to the network untouched and is never stored.
});

// The page that registered us was loaded before we were there: it asks us to keep a copy of it.
self.addEventListener("message", (e) => {
  const url = typeof e.data?.keep === "string" ? new URL(e.data.keep, self.location.origin) : null;
  if (!url || url.origin !== self.location.origin || !PAD.test(url.pathname)) return;
  e.waitUntil(fetch(url.pathname, { credentials: "same-origin" }).then((r) => keep(url.pathname, r)).catch(() => {}));
});
