/**
 * The offline PWA in a real browser (Debian's Chromium via playwright-core): the built app is
 * served from 127.0.0.1, the service worker installs, the network is cut (server closed and
 * the context offline) and the app still loads and works. Every request the page, its workers
 * and its service worker make is recorded: none may leave the local origin.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { basename } from 'node:path';
import { corpusFiles, hasCorpus } from './corpus.ts';
import { CHROMIUM, CHROMIUM_ARGS, describeBrowser, ensureWebBuild, freshProfile, screenshotDir, serveStatic, webDist, type StaticServer } from './browser-harness.ts';

const pick = (dir: string, re: RegExp) => corpusFiles(dir, re)[0] ?? '';
const samples = {
  pst: pick('pst', /no-encryption_quickquick\.pst$/),
  eml: pick('eml/thunderbird', /^bad-charset\.eml$/),
  ics: pick('ics', /\.ics$/),
  vcf: pick('vcf/ez-vcard', /^John_Doe_GMAIL\.vcf$/),
};
if (!hasCorpus) console.warn('NOTICE: corpus missing; the browser tests that drop corpus files are skipped.');
const itCorpus = hasCorpus ? it : it.skip;

describeBrowser('offline PWA (Chromium)', () => {
  let server: StaticServer;
  let context: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild();
    mkdirSync(screenshotDir, { recursive: true });
    server = await serveStatic(webDist);
    context = await chromium.launchPersistentContext(freshProfile(), {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      acceptDownloads: true,
      viewport: { width: 1100, height: 900 },
    });
    context.on('request', (r) => requests.push(r.url()));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
  });

  it('loads, installs the service worker and precaches the app', async () => {
    await page.goto(server.origin + '/');
    await page.waitForSelector('body[data-ready="1"]');
    expect(await page.locator('#dropzone').isVisible()).toBe(true);
    const controlled = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return { active: !!reg.active, scope: reg.scope };
    });
    expect(controlled.active).toBe(true);
    expect(controlled.scope).toBe(server.origin + '/');
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const urls: string[] = [];
      for (const n of names) for (const r of await (await caches.open(n)).keys()) urls.push(new URL(r.url).pathname);
      return urls;
    });
    expect(cached.some((u) => u.endsWith('/index.html'))).toBe(true);
    expect(cached.some((u) => /\/assets\/worker-.*\.js$/.test(u))).toBe(true);
    expect(cached.some((u) => /\/assets\/index-.*\.js$/.test(u))).toBe(true);
    await page.screenshot({ path: join(screenshotDir, 'start.png') });
  });

  it('works with the network cut', async () => {
    // Make sure the page is controlled (clientsClaim), then cut the network for real.
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]');
    expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
    await server.close();
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('body[data-ready="1"]');
    await expect.poll(() => page.locator('#net-status').textContent()).toContain('Offline');
    // A worker still starts offline: examine a small file typed by content.
    await page.setInputFiles('#file-input', { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n') });
    await expect.poll(() => page.locator('.file .facts').first().textContent()).toContain('vCard');
    await page.screenshot({ path: join(screenshotDir, 'offline-files.png'), fullPage: true });
  });

  itCorpus('examines a PST, an EML, an ICS and a VCF from the corpus: tree and counts', async () => {
    await page.click('#btn-clear');
    await page.setInputFiles('#file-input', [samples.pst, samples.eml, samples.ics, samples.vcf]);
    await expect.poll(() => page.locator('.file .verdict.pending').count(), { timeout: 60_000 }).toBe(0);
    const cards = page.locator('.file');
    expect(await cards.count()).toBe(4);
    const pstCard = cards.filter({ hasText: basename(samples.pst) });
    expect(await pstCard.locator('.facts').textContent()).toContain('Outlook data file (PST)');
    // The tree shows the folders the reader finds, with the item count in each.
    const folderRows = pstCard.locator('.tree label');
    expect(await folderRows.count()).toBeGreaterThan(3);
    expect(await pstCard.locator('.tree').textContent()).toMatch(/\d+ items?/);
    expect(await cards.filter({ hasText: basename(samples.ics) }).locator('.facts').textContent()).toMatch(/Contains:\s*\d+ calendar items?/);
    expect(await cards.filter({ hasText: basename(samples.vcf) }).locator('.facts').textContent()).toMatch(/Contains:\s*\d+ contacts?/);
    expect(await cards.filter({ hasText: basename(samples.eml) }).locator('.facts').textContent()).toContain('E-mail message');
    await page.screenshot({ path: join(screenshotDir, 'files.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(screenshotDir, 'files-phone.png') });
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  it('made no request outside the local origin', () => {
    const foreign = requests.filter((u) => !u.startsWith(server.origin + '/') && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(requests.length).toBeGreaterThan(3);
    expect(consoleErrors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e))).toEqual([]);
  });
});
