/**
 * Kiosk mode (?kiosk) in a real browser: the guided flow converts a file, and "Finish" wipes
 * every trace of the user's data from the origin — OPFS files, IndexedDB databases, caches other
 * than the app's own precache, Web Storage — and returns to the start screen, still working.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { corpusFiles, hasCorpus } from './corpus.ts';
import { describeBrowser, ensureWebBuild, launchChromium, screenshotDir, serveStatic, webDist, type StaticServer } from './browser-harness.ts';

const vcf = corpusFiles('vcf/ez-vcard', /^John_Doe_GMAIL\.vcf$/)[0] ?? '';
const ics = corpusFiles('ics', /\.ics$/)[0] ?? '';
const itCorpus = hasCorpus ? it : it.skip;

/** Everything the origin stores, as seen from the page. */
async function storedData(page: Page) {
  return page.evaluate(async () => {
    const opfs: string[] = [];
    const walk = async (dir: FileSystemDirectoryHandle, prefix: string) => {
      for await (const [name, h] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
        opfs.push(prefix + name);
        if (h.kind === 'directory') await walk(h as FileSystemDirectoryHandle, prefix + name + '/');
      }
    };
    await walk(await navigator.storage.getDirectory(), '');
    const dbs = (await indexedDB.databases()).map((d) => d.name);
    const cacheNames = await caches.keys();
    return { opfs, dbs, caches: cacheNames, local: localStorage.length, session: sessionStorage.length };
  });
}

describeBrowser('kiosk mode (Chromium)', () => {
  let server: StaticServer;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ensureWebBuild();
    mkdirSync(screenshotDir, { recursive: true });
    server = await serveStatic(webDist);
    ({ context, page } = await launchChromium({ width: 1280, height: 1024 }));
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
  });

  itCorpus('runs a guided job and leaves no stored user data after it', async () => {
    await page.goto(server.origin + '/?kiosk');
    await page.waitForSelector('body.kiosk[data-ready="1"]');
    await page.evaluate(() => navigator.serviceWorker.ready);
    expect(await page.locator('#kiosk-steps').isVisible()).toBe(true);
    expect(await page.locator('#kiosk-steps li.current').textContent()).toContain('Add your files');
    // Kiosk never asks where to save: the stream goes to OPFS, then to the download.
    expect(await page.locator('#fs-save').isVisible()).toBe(false);
    await page.screenshot({ path: join(screenshotDir, 'kiosk-start.png') });

    // Leftovers a previous visitor could have caused, besides what the job itself stores.
    await page.evaluate(async () => {
      localStorage.setItem('x', 'y');
      sessionStorage.setItem('x', 'y');
      await (await caches.open('user-data')).put('/leftover', new Response('mail'));
      await new Promise<void>((res) => { const r = indexedDB.open('leftover-db'); r.onsuccess = () => { r.result.close(); res(); }; });
    });

    await page.setInputFiles('#file-input', [vcf, ics]);
    await expect.poll(() => page.locator('.file .verdict.pending').count(), { timeout: 30_000 }).toBe(0);
    expect(await page.locator('#kiosk-steps li.current').textContent()).toContain('Check them');
    await page.click('#btn-convert');
    await page.locator('#screen-done').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.locator('#kiosk-steps li.current').textContent()).toContain('Take your file');
    expect(await page.locator('#btn-finish').isVisible()).toBe(true);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('button.download').first().click()]);
    expect((await dl.path()) ?? '').not.toBe('');
    await page.screenshot({ path: join(screenshotDir, 'kiosk-done.png') });

    const before = await storedData(page);
    expect(before.opfs.filter((p) => p.endsWith('.mt')).length).toBe(2);
    expect(before.dbs).toContain('leftover-db');
    expect(before.caches).toContain('user-data');

    await page.click('#btn-finish');
    await page.waitForSelector('body.kiosk[data-ready="1"]');
    await page.locator('#screen-start').waitFor({ state: 'visible' });
    expect(await page.locator('.file').count()).toBe(0);
    const after = await storedData(page);
    expect(after.opfs).toEqual([]);
    expect(after.dbs).toEqual([]);
    expect(after.caches.every((c) => c.startsWith('workbox-precache'))).toBe(true);
    expect(after.caches.length).toBeGreaterThan(0); // the app shell stays, so the kiosk works offline
    expect(after.local).toBe(0);
    expect(after.session).toBe(0);
  });

  itCorpus('wipes what an interrupted session left when the kiosk starts', async () => {
    await page.goto(server.origin + '/?kiosk');
    await page.waitForSelector('body.kiosk[data-ready="1"]');
    // A job that was converting when the tab was closed: output in OPFS, data in IndexedDB.
    await page.evaluate(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('mailferry-output', { create: true });
      const w = await (await dir.getFileHandle('half.mt', { create: true })).createWritable();
      await w.write(new Uint8Array([1, 2, 3]));
      await w.close();
      await new Promise<void>((res) => { const r = indexedDB.open('leftover-db'); r.onsuccess = () => { r.result.close(); res(); }; });
      localStorage.setItem('x', 'y');
    });
    expect((await storedData(page)).opfs.length).toBeGreaterThan(0);
    await page.reload();
    await page.waitForSelector('body.kiosk[data-ready="1"]');
    const after = await storedData(page);
    expect(after.opfs).toEqual([]);
    expect(after.dbs).toEqual([]);
    expect(after.local).toBe(0);
  });
});
