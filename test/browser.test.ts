/**
 * The offline PWA in a real browser (Debian's Chromium via playwright-core): the built app is
 * served from 127.0.0.1, the service worker installs, the network is cut (server closed and
 * the context offline) and the app still loads and works. Every request the page, its workers
 * and its service worker make is recorded: none may leave the local origin.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdirSync, readFileSync, statSync, existsSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync, spawnSync } from 'node:child_process';
import { decodeGxmtBytes } from '../worker/gxmt/index.ts';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { basename } from 'node:path';
import { corpusFiles, hasCorpus, repoRoot } from './corpus.ts';
import { generateDescription, writePst } from '../cli/pstgen/index.ts';
import { describeBrowser, ensureWebBuild, launchChromium, screenshotDir, serveStatic, webDist, type StaticServer } from './browser-harness.ts';

const pick = (dir: string, re: RegExp) => corpusFiles(dir, re)[0] ?? '';
const samples = {
  pst: pick('pst', /no-encryption_quickquick\.pst$/),
  eml: pick('eml/thunderbird', /^bad-charset\.eml$/),
  ics: pick('ics', /\.ics$/),
  vcf: pick('vcf/ez-vcard', /^John_Doe_GMAIL\.vcf$/),
};
if (!hasCorpus) console.warn('NOTICE: corpus missing; the browser tests that drop corpus files are skipped.');
const itCorpus = hasCorpus ? it : it.skip;

const CLI_COMMAND = { pst: 'pff2mt', eml: 'eml2mt', ics: 'ical2mt', vcf: 'vcf2mt' } as const;
const PST_CLI_ARGS: string[] = [];
const cliMain = join(repoRoot, 'dist', 'node', 'cli', 'main.js');

function ensureCliBuild(): void {
  if (!existsSync(cliMain)) execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'cli/tsconfig.json'], { cwd: repoRoot, stdio: 'inherit' });
}

/** The built CLI's stream for `file` (stdout). */
function cliStream(cmd: string, file: string, args: string[]): Buffer {
  ensureCliBuild();
  const r = spawnSync(process.execPath, [join(repoRoot, 'cli', 'bin', 'mailferry.js'), cmd, ...args, file], {
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, TZ: 'UTC' },
  });
  if (r.status !== 0) throw new Error(`mailferry ${cmd} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function cliJson(cmd: string, args: string[]): any {
  ensureCliBuild();
  const r = spawnSync(process.execPath, [join(repoRoot, 'cli', 'bin', 'mailferry.js'), cmd, ...args], { maxBuffer: 64 * 1024 * 1024 });
  try {
    return JSON.parse(r.stdout.toString('utf8'));
  } catch {
    throw new Error(`mailferry ${cmd} ${args.join(' ')} gave no JSON (exit ${r.status}): ${r.stderr}`);
  }
}

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
    ({ context, page } = await launchChromium({ width: 1100, height: 900 }, (url) => requests.push(url)));
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
    // Installable: Chromium's own installability check finds nothing missing.
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors.map((e) => e.errorId)).toEqual([]);
    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[]; data?: string };
    expect(manifest.errors).toEqual([]);
    expect(JSON.parse(manifest.data ?? '{}').icons.some((i: { sizes: string }) => i.sizes === '512x512')).toBe(true);
    await cdp.detach();
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

  itCorpus('validates the PST fully: report on screen, saved as JSON', async () => {
    const pstCard = page.locator('.file').filter({ hasText: basename(samples.pst) });
    await pstCard.getByRole('button', { name: 'Full validation' }).click();
    const dialog = page.locator('#report-dialog');
    await dialog.waitFor({ state: 'visible', timeout: 60_000 });
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain(basename(samples.pst));
    expect(text).toMatch(/Verdict\s*(Healthy|Readable, with warnings|Damaged)/);
    expect(text).toMatch(/Checked blocks\s*[1-9]/);
    await page.screenshot({ path: join(screenshotDir, 'validation-report.png') });
    // Printing shows the report alone.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#main').isVisible()).toBe(false);
    expect(await page.locator('#report-content').isVisible()).toBe(true);
    expect(await page.locator('#btn-print').isVisible()).toBe(false);
    await page.screenshot({ path: join(screenshotDir, 'validation-report-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#btn-save-json')]);
    expect(dl.suggestedFilename()).toBe(`${basename(samples.pst)}.validation.json`);
    const json = JSON.parse(readFileSync((await dl.path())!, 'utf8'));
    expect(json.file).toEqual({ name: basename(samples.pst), size: statSync(samples.pst).size });
    expect(['ok', 'warnings', 'damaged']).toContain(json.verdict);
    expect(json.checked.blocks).toBeGreaterThan(0);
    // The same verdict the CLI's validator gives (same code, same file).
    const cli = cliJson('validate', ['--full', '--json', samples.pst]);
    if (cli) expect(json.counts.error).toBe(cli.counts.errors);
    await page.click('#btn-report-close');
  });

  itCorpus('converts all four into OPFS; each download decodes strictly and equals the CLI output', async () => {
    await page.check('input[name=save][value=opfs]');
    await page.click('#btn-convert');
    await page.locator('#screen-progress').waitFor({ state: 'visible' });
    await page.locator('#screen-done').waitFor({ state: 'visible', timeout: 120_000 });
    await page.screenshot({ path: join(screenshotDir, 'done.png'), fullPage: true });
    const outputs = (await page.locator('#outputs li').allTextContents()).join('\n');
    for (const kind of ['vcf', 'ics', 'pst', 'eml'] as const) {
      const file = samples[kind];
      const out = basename(file).replace(/\.[^.]*$/, '') + '.mt';
      expect(outputs, `${kind}: ${outputs}`).toContain(out);
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`button.download[data-file="${out}"]`)]);
      const bytes = new Uint8Array(readFileSync((await dl.path())!));
      // Strict decode with the project's reader: every frame parses, the stream ends cleanly.
      const decoded = decodeGxmtBytes(bytes);
      expect(decoded.header, kind).not.toBeNull();
      expect(decoded.frames.length, kind).toBeGreaterThan(0);
      // `mailferry print` (the strict reader as a command) decodes it too, frame for frame.
      const printed = spawnSync(process.execPath, [join(repoRoot, 'cli', 'bin', 'mailferry.js'), 'print', '--json', (await dl.path())!], { maxBuffer: 256 << 20 });
      expect(printed.status, `${kind}: ${printed.stderr}`).toBe(0);
      expect(printed.stdout.toString('utf8').trim().split('\n').length, kind).toBe(decoded.frames.length + 1);
      const cli = cliStream(CLI_COMMAND[kind], file, kind === 'pst' ? PST_CLI_ARGS : []);
      expect(Buffer.compare(Buffer.from(bytes), cli), `${kind}: page output differs from the CLI's`).toBe(0);
    }
  });

  itCorpus('keeps a job history in IndexedDB: names, sizes, verdicts, counts — no mail content', async () => {
    await page.click('#btn-history');
    const dialog = page.locator('#history-dialog');
    await dialog.waitFor({ state: 'visible' });
    const text = (await dialog.textContent()) ?? '';
    for (const f of Object.values(samples)) expect(text).toContain(basename(f));
    await page.screenshot({ path: join(screenshotDir, 'history.png') });
    await page.click('#btn-history-close');
    const stored = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((res, rej) => { const r = indexedDB.open('mailferry'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
      const all = await new Promise<unknown[]>((res) => { const r = db.transaction('jobs').objectStore('jobs').getAll(); r.onsuccess = () => res(r.result); });
      db.close();
      return JSON.stringify(all);
    });
    const job = JSON.parse(stored)[0];
    expect(Object.keys(job).sort()).toEqual(['at', 'durationMs', 'files', 'id', 'items', 'outcome', 'outputBytes', 'skipped']);
    expect(Object.keys(job.files[0]).sort()).toEqual(['kind', 'name', 'size', 'verdict']);
    // Nothing of the mail itself: not the subject of the EML sample.
    const subject = /^Subject: (.*)$/m.exec(readFileSync(samples.eml, 'latin1'))?.[1]?.trim();
    expect(subject).toBeTruthy();
    expect(stored).not.toContain(subject!);
  });

  it('cancels a running conversion by terminating its worker, and the next one works', async () => {
    // A generated 200 000-card VCF (about 40 MB): long enough to cancel mid-way on a fast machine
    // (30 000 cards were converted before the test could look at the progress bar).
    const big = join(mkdtempSync(join(tmpdir(), 'mailferry-big-')), 'many-contacts.vcf');
    const cards: string[] = [];
    for (let i = 0; i < 200_000; i++) cards.push(`BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person ${i}\r\nN:Person;${i};;;\r\nEMAIL:p${i}@example.com\r\nNOTE:${'x'.repeat(100)}\r\nEND:VCARD\r\n`);
    writeFileSync(big, cards.join(''));
    await page.click('#btn-again');
    await page.setInputFiles('#file-input', big);
    await expect.poll(() => page.locator('.file .facts').textContent(), { timeout: 30_000 }).toContain('200,000 contacts');
    await page.check('input[name=save][value=opfs]');
    await page.click('#btn-convert');
    const barValue = () => page.locator('#overall-bar').evaluate((e) => (e as HTMLProgressElement).value);
    await expect.poll(barValue, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.locator('#overall-text').textContent(), { timeout: 30_000 }).toMatch(/items\/s/);
    expect(await barValue()).toBeLessThan(1);
    await page.screenshot({ path: join(screenshotDir, 'progress.png') });
    await page.click('#btn-cancel');
    await page.locator('#screen-done').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.locator('#done-title').textContent()).toBe('Cancelled');
    // The half-written stream is gone from OPFS.
    const left = await page.evaluate(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('mailferry-output', { create: true });
      const names: string[] = [];
      for await (const k of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(k);
      return names;
    });
    expect(left).not.toContain('many-contacts.mt');
    // A fresh worker takes over: a small conversion still works.
    await page.click('#btn-again');
    await page.setInputFiles('#file-input', samples.vcf);
    await expect.poll(() => page.locator('.file .verdict.pending').count(), { timeout: 30_000 }).toBe(0);
    await page.click('#btn-convert');
    await page.locator('#screen-done').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.locator('#done-title').textContent()).toMatch(/^Done/);
    // Only this job's stream is kept in the browser; earlier ones were cleared when it started.
    const kept = await page.evaluate(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('mailferry-output');
      const names: string[] = [];
      for await (const k of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(k);
      return names;
    });
    expect(kept).toEqual([basename(samples.vcf).replace(/\.vcf$/, '.mt')]);
  });

  const hasDemo = existsSync(join(webDist, 'demo', 'demo-mailbox.pst'));
  if (!hasDemo) console.warn('NOTICE: dist/web/demo/demo-mailbox.pst is missing (npm run build:demo, then build:web); the demo test is skipped.');
  (hasDemo ? it : it.skip)('opens the built-in demo mailbox (from the precache, offline) and converts it', async () => {
    await page.click('#btn-again');
    await page.click('#btn-demo');
    const card = page.locator('.file').filter({ hasText: 'demo-mailbox.pst' });
    await expect.poll(() => card.locator('.verdict').textContent(), { timeout: 30_000 }).not.toBe('Examining…');
    expect(await card.locator('.verdict').textContent()).toBe('Healthy');
    expect(await card.locator('.tree label').count()).toBeGreaterThan(3);
    await page.screenshot({ path: join(screenshotDir, 'demo.png'), fullPage: true });
    await page.check('input[name=save][value=opfs]');
    await page.click('#btn-convert');
    await page.locator('#screen-done').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.locator('#done-title').textContent()).toMatch(/^Done/);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('button.download[data-file="demo-mailbox.mt"]')]);
    const decoded = decodeGxmtBytes(new Uint8Array(readFileSync((await dl.path())!)));
    expect(decoded.frames.filter((f) => f.kind === 'message').length).toBeGreaterThan(5);
  });

  (hasDemo ? it : it.skip)('only the ticked folder, for an older gromox: same stream as pff2mt --only-obj N --mt-version 4', async () => {
    await page.click('#btn-again');
    await page.click('#btn-demo');
    const card = page.locator('.file').filter({ hasText: 'demo-mailbox.pst' });
    await expect.poll(() => card.locator('.verdict').textContent(), { timeout: 30_000 }).toBe('Healthy');
    const inbox = card.locator('.tree label').filter({ hasText: /^Inbox/ }).locator('input');
    await inbox.check();
    const nid = Number(await inbox.getAttribute('value'));
    expect(nid).toBeGreaterThan(0);
    // Its subfolders come along, shown ticked and locked.
    const sub = card.locator('.tree label').filter({ hasText: 'Projekte' }).locator('input');
    expect(await sub.isChecked()).toBe(true);
    expect(await sub.isDisabled()).toBe(true);
    await page.selectOption('#opt-version', '4');
    await page.check('input[name=save][value=opfs]');
    await page.click('#btn-convert');
    await page.locator('#screen-done').waitFor({ state: 'visible', timeout: 60_000 });
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('button.download[data-file="demo-mailbox.mt"]')]);
    const bytes = readFileSync((await dl.path())!);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('GXMT0004');
    const cli = cliStream('pff2mt', join(webDist, 'demo', 'demo-mailbox.pst'), ['--only-obj', String(nid), '--mt-version', '4']);
    expect(Buffer.compare(bytes, cli), 'page output differs from the CLI with --only-obj').toBe(0);
  });

  it('a PST of 16 MiB and more is read by nested encoder workers; the stream equals the CLI\'s', async () => {
    // Many small messages over 16 MiB, so the workers do the reading (pff2mt --jobs in the page).
    const file = join(mkdtempSync(join(tmpdir(), 'mailferry-pool-')), 'pooled.pst');
    await writePst(generateDescription({ variant: 'unicode', crypt: 'permute', messages: 900, attachmentMiB: 18, seed: 4 }), file);
    // Two workers whatever the default for this machine (the page takes ?jobs=N like --jobs).
    await page.goto(server.origin + '/?jobs=2');
    await page.waitForSelector('body[data-ready="1"]');
    await page.setInputFiles('#file-input', file);
    await expect.poll(() => page.locator('.file .verdict.pending').count(), { timeout: 60_000 }).toBe(0);
    await page.selectOption('#opt-version', '5');
    await page.check('input[name=save][value=opfs]');
    await page.click('#btn-convert');
    await page.locator('#screen-done').waitFor({ state: 'visible', timeout: 120_000 });
    expect(await page.locator('#done-title').textContent()).toMatch(/^Done/);
    expect(Number(await page.locator('#outputs li').first().getAttribute('data-workers'))).toBe(2);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('button.download[data-file="pooled.mt"]')]);
    const bytes = readFileSync((await dl.path())!);
    expect(decodeGxmtBytes(new Uint8Array(bytes)).frames.filter((f) => f.kind === 'message')).toHaveLength(900);
    expect(Buffer.compare(bytes, cliStream('pff2mt', file, ['--jobs', '1'])), 'page output differs from pff2mt --jobs 1').toBe(0);
  }, 240_000);

  it('made no request outside the local origin', () => {
    const foreign = requests.filter((u) => !u.startsWith(server.origin + '/') && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(requests.length).toBeGreaterThan(3);
    expect(consoleErrors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e))).toEqual([]);
  });
});
