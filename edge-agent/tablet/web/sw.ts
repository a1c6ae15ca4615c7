// The tablet page's service worker: the page shell is served from cache when the hub cannot be reached, so a reload
// during an outage still shows the page (and its queued taps). The API is never cached.
// Typed by hand: the webworker lib cannot sit beside the DOM lib in one TypeScript program.
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface ServiceWorkerScope {
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}

const sw = self as unknown as ServiceWorkerScope;
const CACHE = 'seatpilot-tablet-v1';
const SHELL = ['/tablet', '/tablet/app.js', '/tablet/manifest.webmanifest', '/tablet/icon.svg'];

sw.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => sw.skipWaiting()));
});

sw.addEventListener('activate', (e) => {
  e.waitUntil(sw.clients.claim());
});

sw.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== sw.location.origin) return;
  if (!SHELL.includes(url.pathname) && url.pathname !== '/tablet/') return;
  // Network first: a new agent version shows at once; the cache is only the fallback for an outage.
  e.respondWith(
    fetch(e.request)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          void caches.open(CACHE).then((c) => c.put(e.request, copy));
        }
        return res;
      })
      .catch(async () => (await caches.match(e.request)) ?? (await caches.match('/tablet')) ?? Response.error()),
  );
});
