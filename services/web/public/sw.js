// @ts-check
/// <reference lib="webworker" />
/**
 * Herald's service worker: shows the Web Push notifications browser-push
 * sends, opens the item when one is clicked and marks it read, and closes the
 * notifications of items read anywhere else.
 *
 * Payloads (JSON, encrypted by the push service's aes128gcm):
 *   {type: 'notification', id, title, body, url, kind, provider, icon?, badge?, date, unread_count?}
 *   {type: 'read', ids, all, unread_count}
 *
 * Marking read needs the person's token. The page hands it over after sign-in
 * and whenever it renews it: `registration.active.postMessage({type:
 * 'herald:session', token})`, and `{type: 'herald:sign-out'}` forgets it. The
 * worker keeps it in IndexedDB (a worker has no localStorage and may be
 * stopped between events), on this origin only, where the page that holds the
 * same token already lives; it is sent only to this origin's API.
 */

const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

const database = 'herald-push';
const store = 'session';

/** @returns {Promise<IDBDatabase>} */
function openSessionStore() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(database, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(store);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * @param {'readonly' | 'readwrite'} mode
 * @param {(objects: IDBObjectStore) => IDBRequest} action
 * @returns {Promise<unknown>}
 */
async function withSession(mode, action) {
  const db = await openSessionStore();
  try {
    return await new Promise((resolve, reject) => {
      const request = action(db.transaction(store, mode).objectStore(store));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** @returns {Promise<string | undefined>} */
async function sessionToken() {
  const token = await withSession('readonly', (objects) => objects.get('token'));
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** Only http(s) URLs are opened; anything else opens the notification center. */
function safeUrl(/** @type {unknown} */ value) {
  try {
    const url = new URL(String(value), sw.location.origin);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The app badge (Badging API), where the browser has one. */
async function setBadge(/** @type {unknown} */ count) {
  if (typeof count !== 'number') return;
  const nav =
    /** @type {WorkerNavigator & {setAppBadge?: (n: number) => Promise<void>, clearAppBadge?: () => Promise<void>}} */ (
      sw.navigator
    );
  try {
    if (count > 0) await nav.setAppBadge?.(count);
    else await nav.clearAppBadge?.();
  } catch {
    // A badge the platform refuses is only a badge.
  }
}

/** @param {Record<string, unknown>} message */
async function showItem(message) {
  const id = String(message.id ?? '');
  if (id === '') return;
  /** @type {NotificationOptions & {timestamp?: number}} */
  const options = {
    body: typeof message.body === 'string' ? message.body : '',
    // The item's id: a newer push for it replaces the one shown, and a read push finds it.
    tag: id,
    data: { id, url: safeUrl(message.url) },
  };
  const icon = safeUrl(message.icon);
  if (typeof message.icon === 'string' && icon) options.icon = icon;
  const badge = safeUrl(message.badge);
  if (typeof message.badge === 'string' && badge) options.badge = badge;
  const date = Date.parse(String(message.date ?? ''));
  if (!Number.isNaN(date)) options.timestamp = date;
  const title = typeof message.title === 'string' && message.title !== '' ? message.title : 'Herald';
  await sw.registration.showNotification(title, options);
  await setBadge(message.unread_count);
}

/** Closes the notifications of items read elsewhere (all of them when `all`). @param {Record<string, unknown>} message */
async function closeRead(message) {
  const ids = new Set(Array.isArray(message.ids) ? message.ids.map(String) : []);
  for (const notification of await sw.registration.getNotifications()) {
    if (message.all === true || ids.has(notification.tag)) notification.close();
  }
  await setBadge(message.unread_count);
}

/** @param {PushMessageData | null} data */
async function handlePush(data) {
  /** @type {Record<string, unknown>} */
  let message;
  try {
    message = data ? data.json() : {};
  } catch {
    return;
  }
  if (message.type === 'notification') await showItem(message);
  else if (message.type === 'read') await closeRead(message);
}

/** POST /api/v1/me/notifications/{id}/read with the person's token; false when there is none or it failed. */
async function markRead(/** @type {string} */ id) {
  const token = await sessionToken();
  if (!token || !id) return false;
  const url = new URL(`/api/v1/me/notifications/${encodeURIComponent(id)}/read`, sw.location.origin);
  try {
    const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    return response.ok;
  } catch {
    return false;
  }
}

/** Focuses a window already at `url`, or opens one. */
async function focusOrOpen(/** @type {string} */ url) {
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((client) => client.url === url);
  if (open) return open.focus();
  return sw.clients.openWindow(url);
}

/** @param {Notification} notification */
async function openItem(notification) {
  const data = /** @type {{id?: string, url?: string}} */ (notification.data ?? {});
  const url = safeUrl(data.url) ?? new URL('/', sw.location.origin).href;
  await Promise.all([focusOrOpen(url), markRead(String(data.id ?? ''))]);
}

sw.addEventListener('push', (event) => event.waitUntil(handlePush(event.data)));

sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openItem(event.notification));
});

sw.addEventListener('message', (event) => {
  const message = /** @type {{type?: unknown, token?: unknown}} */ (event.data ?? {});
  if (message.type === 'herald:session' && typeof message.token === 'string') {
    event.waitUntil(withSession('readwrite', (objects) => objects.put(message.token, 'token')));
  } else if (message.type === 'herald:sign-out') {
    event.waitUntil(withSession('readwrite', (objects) => objects.delete('token')));
  }
});

// A new version takes over at once, so a fixed handler reaches open tabs without a reload.
sw.addEventListener('install', () => void sw.skipWaiting());
sw.addEventListener('activate', (event) => event.waitUntil(sw.clients.claim()));
