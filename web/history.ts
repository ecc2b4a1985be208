/**
 * Job history and settings in IndexedDB (via idb). Only what an admin needs to recall a job:
 * file names, sizes, types, verdicts and counts — never a byte of mail content.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export const DB_NAME = 'mailferry';

export interface JobRecord {
  id?: number;
  at: string;
  files: { name: string; size: number; kind: string; verdict: string }[];
  outcome: 'done' | 'cancelled' | 'failed';
  items: number;
  skipped: number;
  outputBytes: number;
  durationMs: number;
  error?: string;
}

export interface Settings {
  save?: 'picker' | 'opfs';
  codepage?: string;
  rootTarget?: 'ipm-subtree' | 'unanchored';
  mtVersion?: string;
}

interface Schema extends DBSchema {
  jobs: { key: number; value: JobRecord };
  settings: { key: string; value: unknown };
}

let db: Promise<IDBPDatabase<Schema>> | undefined;

function open(): Promise<IDBPDatabase<Schema>> {
  db ??= openDB<Schema>(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore('jobs', { keyPath: 'id', autoIncrement: true });
      d.createObjectStore('settings');
    },
  });
  return db;
}

export async function addJob(job: JobRecord): Promise<void> {
  await (await open()).add('jobs', job);
}

export async function listJobs(): Promise<JobRecord[]> {
  return (await (await open()).getAll('jobs')).reverse();
}

export async function clearJobs(): Promise<void> {
  await (await open()).clear('jobs');
}

export async function loadSettings(): Promise<Settings> {
  return ((await (await open()).get('settings', 'settings')) as Settings | undefined) ?? {};
}

export async function saveSettings(s: Settings): Promise<void> {
  await (await open()).put('settings', s, 'settings');
}

/** Close the connection so the database can be deleted (kiosk wipe). */
export async function closeDb(): Promise<void> {
  if (!db) return;
  const d = await db.catch(() => undefined);
  d?.close();
  db = undefined;
}
