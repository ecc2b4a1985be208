/**
 * The page as people use it: keyboard only, a screen reader's view of the controls (Chromium's
 * accessibility tree via CDP: every interactive control has a name), adding a whole folder,
 * dropping files, and phone / kiosk widths without sideways scrolling.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { corpusFiles, hasCorpus, repoRoot } from './corpus.ts';
import { CHROMIUM, CHROMIUM_ARGS, describeBrowser, ensureWebBuild, screenshotDir, serveStatic, webDist, type StaticServer } from './browser-harness.ts';

const vcf = corpusFiles('vcf/ez-vcard', /^John_Doe_GMAIL\.vcf$/)[0] ?? '';
const ics = corpusFiles('ics', /\.ics$/)[0] ?? '';
const itCorpus = hasCorpus ? it : it.skip;

const INTERACTIVE = new Set(['button', 'checkbox', 'radio', 'combobox', 'textbox', 'link', 'menuitem', 'switch', 'slider', 'spinbutton', 'tab']);

/** Interactive nodes of the accessibility tree that have no accessible name. */
async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: Array<{ ignored: boolean; role?: { value: string }; name?: { value: string } }> };
  await cdp.detach();
  return nodes
    .filter((n) => !n.ignored && n.role && INTERACTIVE.has(n.role.value) && !(n.name?.value ?? '').trim())
    .map((n) => n.role!.value);
}

/**
 * Text whose contrast against its background is below WCAG 2 AA (4.5:1, or 3:1 for large text),
 * for every visible element with its own text. Disabled controls are exempt, as in WCAG.
 */
async function lowContrast(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const bgOf = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length >= 3 && (c.length < 4 || c[3]! > 0.5)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const bad: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
      if ((el as HTMLButtonElement).disabled || el.closest('[disabled]')) continue;
      const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent!.trim());
      if (!own) continue;
      const cs = getComputedStyle(el);
      const fg = lum(rgb(cs.color).slice(0, 3));
      const bg = lum(bgOf(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      const size = parseFloat(cs.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) bad.push(`${el.tagName}.${el.className} "${el.textContent!.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
    }
    return bad;
  });
}

const noSideScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describeBrowser('page usability (Chromium)', () => {
  let server: StaticServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureWebBuild();
    mkdirSync(screenshotDir, { recursive: true });
    server = await serveStatic(webDist);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('is keyboard-operable from the first Tab, and every control has a name', async () => {
    await page.goto(server.origin + '/');
    await page.waitForSelector('body[data-ready="1"]');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    // Tab onwards to the drop zone; Enter opens the file chooser.
    let guard = 0;
    while (!(await page.evaluate(() => document.activeElement?.id === 'dropzone')) && guard++ < 10) await page.keyboard.press('Tab');
    expect(guard).toBeLessThan(10);
    // Enter on the drop zone opens the file picker (a click on the file input; the picker itself
    // is suppressed here so the test does not depend on dialog interception).
    await page.evaluate(() => {
      const input = document.getElementById('file-input') as HTMLInputElement;
      input.addEventListener('click', (e) => { document.body.dataset.picked = input.multiple ? 'multiple' : 'single'; e.preventDefault(); }, { once: true });
    });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.body.dataset.picked)).toBe('multiple');
    expect(await unnamedControls(page)).toEqual([]);
    expect(await lowContrast(page)).toEqual([]);
  });

  itCorpus('adds every file of a picked folder, skipping OS clutter', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailferry-folder-'));
    mkdirSync(join(dir, 'sub'));
    copyFileSync(vcf, join(dir, basename(vcf)));
    copyFileSync(ics, join(dir, 'sub', basename(ics)));
    writeFileSync(join(dir, '.DS_Store'), 'clutter');
    await page.setInputFiles('#dir-input', dir);
    await expect.poll(() => page.locator('.file .verdict.pending').count(), { timeout: 30_000 }).toBe(0);
    const names = await page.locator('.file-name').allTextContents();
    expect(names.sort()).toEqual([basename(ics), basename(vcf)].sort());
    expect(await unnamedControls(page)).toEqual([]);
    expect(await lowContrast(page)).toEqual([]);
  });

  it('takes files dropped onto the page', async () => {
    await page.click('#btn-clear');
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART:20260101T100000Z\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'], 'dropped.ics'));
      const zone = document.getElementById('dropzone')!;
      zone.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
      zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
    });
    await expect.poll(() => page.locator('.file .facts').first().textContent(), { timeout: 30_000 }).toContain('Contains:1 calendar item');
  });

  itCorpus('a damaged PST: verdict, conversion of what is readable, skipped items listed, same bytes as the CLI', async () => {
    const corrupt = corpusFiles('pst', /CORRUPT/)[0]!;
    await page.goto(server.origin + '/');
    await page.waitForSelector('body[data-ready="1"]');
    await page.setInputFiles('#file-input', corrupt);
    await expect.poll(() => page.locator('.file .verdict').textContent(), { timeout: 30_000 }).toMatch(/Damaged/);
    expect(await page.locator('fieldset[data-pst]').first().isVisible()).toBe(true);
    await page.check('input[name=save][value=opfs]');
    await page.click('#btn-convert');
    await page.locator('#screen-done').waitFor({ state: 'visible', timeout: 60_000 });
    const title = (await page.locator('#skipped-title').textContent()) ?? '';
    const n = Number(/\((\d+)\)/.exec(title)?.[1]);
    expect(n).toBeGreaterThan(0);
    await page.locator('#skipped-box summary').click();
    expect(await page.locator('#skipped-table tbody tr').count()).toBe(Math.min(n, 5000));
    expect(await page.locator('#skipped-table tbody').textContent()).toMatch(/PST-[A-Z-]+/);
    await page.screenshot({ path: join(screenshotDir, 'done-skipped.png'), fullPage: true });
    const out = basename(corrupt).replace(/\.pst$/, '.mt');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`button.download[data-file="${out}"]`)]);
    const r = spawnSync(process.execPath, [join(repoRoot, 'cli', 'bin', 'mailferry.js'), 'pff2mt', '-q', corrupt], { maxBuffer: 64 << 20 });
    expect(r.status).toBe(0);
    expect(Buffer.compare(readFileSync((await dl.path())!), r.stdout)).toBe(0);
  });

  itCorpus('writes through a File System Access handle (the save-picker path)', async () => {
    // Headless Chromium cannot show the picker, so it is answered with a real FileSystemFileHandle
    // (one in OPFS); the worker writes through createWritable() exactly as to a picked file.
    await page.goto(server.origin + '/');
    await page.waitForSelector('body[data-ready="1"]');
    await page.evaluate(() => {
      (window as unknown as { showSaveFilePicker: unknown }).showSaveFilePicker = async (o: { suggestedName: string }) =>
        (await navigator.storage.getDirectory()).getFileHandle('picked-' + o.suggestedName, { create: true });
    });
    await page.setInputFiles('#file-input', vcf);
    await expect.poll(() => page.locator('.file .verdict.pending').count(), { timeout: 30_000 }).toBe(0);
    expect(await page.locator('#save-picker-choice').isVisible()).toBe(true);
    await page.check('input[name=save][value=picker]');
    await page.click('#btn-convert');
    await page.locator('#screen-done').waitFor({ state: 'visible', timeout: 60_000 });
    const out = basename(vcf).replace(/\.vcf$/, '.mt');
    expect(await page.locator('#outputs').textContent()).toContain(`Saved picked-${out}`);
    const b64 = await page.evaluate(async (name) => {
      const f = await (await (await navigator.storage.getDirectory()).getFileHandle(name)).getFile();
      const bytes = new Uint8Array(await f.arrayBuffer());
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    }, `picked-${out}`);
    const r = spawnSync(process.execPath, [join(repoRoot, 'cli', 'bin', 'mailferry.js'), 'vcf2mt', vcf], { maxBuffer: 64 << 20 });
    expect(r.status).toBe(0);
    expect(Buffer.compare(Buffer.from(b64, 'base64'), r.stdout)).toBe(0);
  });

  itCorpus('mbox, TNEF, an OST and a cyclic-encrypted PST: each stream equals the CLI command\'s', async () => {
    const cases = [
      { file: corpusFiles('eml/mbox', /\.mbox$/)[0]!, cmd: 'mbox2mt' },
      { file: corpusFiles('eml/tnef', /\.tnef$/)[0]!, cmd: 'tnef2mt' },
      { file: corpusFiles('pst', /\.ost$/)[0]!, cmd: 'pff2mt' },
      { file: corpusFiles('pst', /high-encryption/)[0]!, cmd: 'pff2mt' },
    ];
    await page.goto(server.origin + '/');
    await page.waitForSelector('body[data-ready="1"]');
    await page.setInputFiles('#file-input', cases.map((c) => c.file));
    await expect.poll(() => page.locator('.file .verdict.pending').count(), { timeout: 60_000 }).toBe(0);
    await page.check('input[name=save][value=opfs]');
    await page.click('#btn-convert');
    await page.locator('#screen-done').waitFor({ state: 'visible', timeout: 120_000 });
    for (const c of cases) {
      const out = basename(c.file).replace(/\.[^.]*$/, '') + '.mt';
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`button.download[data-file="${out}"]`)]);
      const r = spawnSync(process.execPath, [join(repoRoot, 'cli', 'bin', 'mailferry.js'), c.cmd, c.file], { maxBuffer: 256 << 20 });
      expect(r.status, `${c.cmd} ${basename(c.file)}: ${r.stderr}`).toBe(0);
      expect(Buffer.compare(readFileSync((await dl.path())!), r.stdout), `${basename(c.file)} differs from ${c.cmd}`).toBe(0);
    }
  });

  itCorpus('gathers loose files of one kind into one stream, equal to `<kind>2mt a b`', async () => {
    const vcfs = corpusFiles('vcf/ez-vcard', /^John_Doe_(GMAIL|LOTUS_NOTES)\.vcf$/);
    const emls = corpusFiles('eml/thunderbird', /^(bad-charset|alice\.env)\.eml$/);
    expect(vcfs.length).toBe(2);
    expect(emls.length).toBe(2);
    await page.goto(server.origin + '/');
    await page.waitForSelector('body[data-ready="1"]');
    await page.setInputFiles('#file-input', [...vcfs, ...emls]);
    await expect.poll(() => page.locator('.file .verdict.pending').count(), { timeout: 30_000 }).toBe(0);
    await page.check('input[name=save][value=opfs]');
    expect(await page.locator('#opt-separate').isChecked()).toBe(false);
    await page.click('#btn-convert');
    await page.locator('#screen-done').waitFor({ state: 'visible', timeout: 60_000 });
    for (const [out, cmd, files] of [['contacts-2-files.mt', 'vcf2mt', vcfs], ['messages-2-files.mt', 'eml2mt', emls]] as const) {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`button.download[data-file="${out}"]`)]);
      const r = spawnSync(process.execPath, [join(repoRoot, 'cli', 'bin', 'mailferry.js'), cmd, ...files], { maxBuffer: 64 << 20 });
      expect(r.status, String(r.stderr)).toBe(0);
      expect(Buffer.compare(readFileSync((await dl.path())!), r.stdout), `${out} differs from ${cmd}`).toBe(0);
    }
    expect(await page.locator('#outputs li').count()).toBe(2);
  });

  it('offers a new version instead of swapping it in under the page', async () => {
    // A copy of the build, so the test can publish a "new version" of the service worker.
    const dir = mkdtempSync(join(tmpdir(), 'mailferry-web-'));
    cpSync(webDist, dir, { recursive: true });
    const srv = await serveStatic(dir);
    const ctx = await browser.newContext();
    try {
      const p = await ctx.newPage();
      await p.goto(srv.origin + '/');
      await p.waitForSelector('body[data-ready="1"]');
      await p.evaluate(() => navigator.serviceWorker.ready);
      await p.reload();
      await p.waitForSelector('body[data-ready="1"]');
      expect(await p.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
      expect(await p.locator('#btn-update').isVisible()).toBe(false);
      appendFileSync(join(dir, 'sw.js'), '\n// next version\n');
      await p.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
      await p.locator('#btn-update').waitFor({ state: 'visible', timeout: 30_000 });
      // Until the user says so, the old version keeps control.
      const before = await p.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.waiting !== null);
      expect(before).toBe(true);
      await Promise.all([p.waitForEvent('load'), p.click('#btn-update')]);
      await p.waitForSelector('body[data-ready="1"]');
      expect(await p.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.waiting)).toBeNull();
      expect(await p.locator('#btn-update').isVisible()).toBe(false);
    } finally {
      await ctx.close();
      await srv.close();
    }
  });

  itCorpus('fits phone and kiosk widths without sideways scrolling', async () => {
    for (const [w, h, tag] of [[360, 740, 'phone'], [1920, 1080, 'kiosk']] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.goto(server.origin + (tag === 'kiosk' ? '/?kiosk' : '/'));
      await page.waitForSelector('body[data-ready="1"]');
      expect(await noSideScroll(page), `${tag} start`).toBe(true);
      await page.screenshot({ path: join(screenshotDir, `start-${tag}.png`) });
      await page.setInputFiles('#file-input', [vcf, ics]);
      await expect.poll(() => page.locator('.file .verdict.pending').count(), { timeout: 30_000 }).toBe(0);
      expect(await noSideScroll(page), `${tag} files`).toBe(true);
      await page.screenshot({ path: join(screenshotDir, `files-${tag}.png`), fullPage: tag === 'phone' });
    }
  });
});
