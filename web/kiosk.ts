/**
 * Kiosk mode (?kiosk): after each job the origin's stored user data is wiped — OPFS files,
 * every IndexedDB database, Cache Storage caches other than the app shell's own precache,
 * Web Storage — so the next person finds nothing of the last. The precache holds only the
 * app's own files, which is what keeps the kiosk working offline.
 */
import { closeDb } from './history.ts';

export const isKiosk = new URLSearchParams(location.search).has('kiosk');

/** Caches vite-plugin-pwa/workbox fills with the app shell (no user data). */
const isAppShellCache = (name: string) => name.startsWith('workbox-precache');

export async function wipeUserData(): Promise<void> {
  await closeDb();
  const storage = navigator.storage as StorageManager & { getDirectory?: () => Promise<FileSystemDirectoryHandle> };
  if (storage?.getDirectory) {
    const root = await storage.getDirectory();
    const names: string[] = [];
    for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    for (const name of names) await root.removeEntry(name, { recursive: true });
  }
  if (indexedDB.databases) {
    for (const d of await indexedDB.databases()) {
      if (!d.name) continue;
      await new Promise<void>((resolve) => {
        const req = indexedDB.deleteDatabase(d.name!);
        req.onsuccess = req.onerror = req.onblocked = () => resolve();
      });
    }
  }
  if ('caches' in self) {
    for (const name of await caches.keys()) if (!isAppShellCache(name)) await caches.delete(name);
  }
  try {
    localStorage.clear();
    sessionStorage.clear();
  } catch {
    /* storage disabled */
  }
}
