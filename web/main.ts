/**
 * The page: add files, see what is inside and how healthy it is, pick options in plain words,
 * convert with byte-weighted progress, take the result. DOM only — every byte of mail is read by
 * workers (web/pool.ts → worker/api.ts), and output is written by the worker straight into a
 * file the user picked (File System Access) or into the origin-private file system, from where
 * it is offered for download as a disk-backed File. Nothing is ever sent over the network.
 */
import * as Comlink from 'comlink';
import { WorkerPool, CancelledError } from './pool.ts';
import { $, h, formatBytes, formatDuration, plural, download } from './format.ts';
import { addJob, listJobs, clearJobs, loadSettings, saveSettings, type JobRecord } from './history.ts';
import { isKiosk, wipeUserData } from './kiosk.ts';
import { renderReport } from './report.ts';
import { renderTree, selectedItems } from './tree.ts';
import type { Examination, ValidationReport, ConvertOptions, ConvertProgress, ConvertResult, OutputTarget } from '../worker/api.ts';

declare const __DEMO_URL__: string;

const OUTPUT_DIR = 'mailferry-output';

interface Entry {
  id: number;
  file: File;
  exam?: Examination;
  error?: string;
  report?: ValidationReport;
  /** Folder NIDs the user ticked: convert only these (empty: the whole file). */
  only: Set<number>;
  card: HTMLLIElement;
}

const pool = new WorkerPool();
const entries: Entry[] = [];
let nextId = 1;
let running: AbortController | undefined;

// ---------------------------------------------------------------------------------------------
// Screens

type Screen = 'start' | 'files' | 'progress' | 'done';
const SCREENS: Screen[] = ['start', 'files', 'progress', 'done'];

function show(screen: Screen, focus = true): void {
  for (const s of SCREENS) $(`screen-${s}`).hidden = s !== screen;
  document.body.dataset.screen = screen;
  if (isKiosk) {
    const step = { start: 1, files: 2, progress: 3, done: 4 }[screen];
    for (const li of document.querySelectorAll<HTMLLIElement>('#kiosk-steps li')) {
      const n = Number(li.dataset.step);
      li.classList.toggle('current', n === step);
      li.classList.toggle('done', n < step);
      if (n === step) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    }
  }
  // Moving focus to the new screen tells keyboard and screen-reader users that it changed.
  if (focus) ($('main') as HTMLElement).focus({ preventScroll: true });
}

// ---------------------------------------------------------------------------------------------
// Adding files

async function collectEntry(entry: FileSystemEntry, out: File[]): Promise<void> {
  if (entry.isFile) {
    out.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const e of batch) await collectEntry(e, out);
    }
  }
}

async function filesFromDrop(dt: DataTransfer): Promise<File[]> {
  const roots = [...dt.items].map((i) => (i.kind === 'file' ? i.webkitGetAsEntry?.() : null));
  if (roots.some((r) => r)) {
    const out: File[] = [];
    for (const r of roots) if (r) await collectEntry(r, out);
    return out;
  }
  return [...dt.files];
}

function addFiles(files: File[]): void {
  // Folders bring desktop clutter; skip dot-files and the usual OS droppings.
  const useful = files.filter((f) => !/^\.|^(thumbs\.db|desktop\.ini)$/i.test(f.name));
  if (useful.length === 0) return;
  for (const file of useful) {
    const entry: Entry = { id: nextId++, file, only: new Set(), card: h('li', { class: 'file' }) };
    entries.push(entry);
    $('file-list').append(entry.card);
    renderCard(entry);
    void examine(entry);
  }
  show('files');
  updateConvertState();
}

async function examine(entry: Entry): Promise<void> {
  try {
    entry.exam = await pool.run((api) => api.examine(entry.file, entry.file.name));
  } catch (e) {
    entry.error = (e as Error).message;
  }
  renderCard(entry);
  updateConvertState();
}

function removeEntry(entry: Entry): void {
  const i = entries.indexOf(entry);
  if (i >= 0) entries.splice(i, 1);
  entry.card.remove();
  if (entries.length === 0) show('start');
  updateConvertState();
}

// ---------------------------------------------------------------------------------------------
// File cards

function fact(term: string, value: string | number | undefined): HTMLElement | false {
  if (value === undefined || value === '') return false;
  return h('div', {}, h('dt', {}, term + ':'), h('dd', {}, String(value)));
}

function renderCard(entry: Entry): void {
  const { exam, file } = entry;
  const verdictClass = exam ? exam.verdict : entry.error ? 'unusable' : 'pending';
  const verdictText = exam ? exam.verdictText : entry.error ? 'Could not be examined' : 'Examining…';
  const titleId = `file-${entry.id}-name`;
  const card = entry.card;
  const parts: Array<Node | string | false> = [
    h('div', { class: 'file-head' },
      h('h3', { class: 'file-name', id: titleId }, file.name),
      h('span', { class: `verdict ${verdictClass}`, role: 'status' }, verdictText)),
    h('dl', { class: 'facts' },
      fact('Type', exam?.label),
      fact('Format', exam?.variant),
      fact('Encryption', exam?.encryption),
      fact('Size', formatBytes(file.size)),
      fact('Store', exam?.storeName),
      exam?.passwordSet ? fact('Password', 'set (not needed to read the file)') : false,
      exam?.items !== undefined ? fact('Contains', plural(exam.items, exam.itemNoun ?? 'item')) : false,
      exam && (exam.counts.error || exam.counts.warning)
        ? fact('Quick check', `${plural(exam.counts.error, 'error')}, ${plural(exam.counts.warning, 'warning')}`)
        : false),
    exam?.error || entry.error ? h('p', { class: 'error-text' }, exam?.error ?? entry.error ?? '') : '',
    exam?.tree ? renderTree(exam.tree, entry.only, titleId, () => updateConvertState()) : false,
    h('div', { class: 'actions file-actions' },
      exam && exam.kind !== 'unknown'
        ? h('button', { type: 'button', class: 'button small', onclick: () => void validate(entry), 'aria-describedby': titleId },
            entry.report ? 'Show validation report' : 'Full validation')
        : false,
      h('button', { type: 'button', class: 'button small', onclick: () => removeEntry(entry), 'aria-describedby': titleId }, 'Remove')),
  ];
  card.replaceChildren(...parts.filter((p): p is Node | string => p !== false));
}

// ---------------------------------------------------------------------------------------------
// Validation report

let shownReport: ValidationReport | undefined;

async function validate(entry: Entry): Promise<void> {
  if (!entry.report) {
    const btn = entry.card.querySelector<HTMLButtonElement>('.file-actions button');
    if (btn) {
      btn.disabled = true;
      btn.textContent = 'Validating…';
    }
    try {
      const onProgress = Comlink.proxy((done: number, total: number) => {
        if (btn && total > 0) btn.textContent = `Validating… ${Math.floor((100 * done) / total)} %`;
      });
      entry.report = await pool.run((api) => api.validate(entry.file, entry.file.name, onProgress));
    } catch (e) {
      renderCard(entry);
      alertText(`Validation of ${entry.file.name} failed: ${(e as Error).message}`);
      return;
    }
    renderCard(entry);
  }
  shownReport = entry.report;
  $('report-content').replaceChildren(renderReport(entry.report));
  ($('report-dialog') as HTMLDialogElement).showModal();
}

function alertText(text: string): void {
  $('convert-note').textContent = text;
}

// ---------------------------------------------------------------------------------------------
// Options

function readOptions(): ConvertOptions {
  const form = $('options') as HTMLFormElement;
  const data = new FormData(form);
  const splice = data.get('placement') === 'splice';
  const cp = String(data.get('codepage') ?? '');
  const hidden = ($('opt-hidden') as HTMLInputElement);
  return {
    splice,
    withHidden: hidden.checked,
    withAssoc: data.get('withAssoc') !== null,
    codepage: cp ? Number(cp) : undefined,
    forceCodepage: cp ? data.get('forceCodepage') !== null : false,
    rootTarget: data.get('rootTarget') === 'unanchored' ? 'unanchored' : 'ipm-subtree',
    mtVersion: Number(data.get('mtVersion') ?? 5) as 3 | 4 | 5,
    ...jobsParam(),
  };
}

/** `?jobs=N` in the address: encoder workers for PST/OST conversions (as pff2mt --jobs). */
function jobsParam(): { jobs?: number } {
  const n = Number(new URLSearchParams(location.search).get('jobs'));
  return Number.isInteger(n) && n >= 1 && n <= 16 ? { jobs: n } : {};
}

function syncHiddenDefault(): void {
  // gromox's default: hidden folders come along into a new folder, but not when merging.
  const splice = (document.querySelector('input[name=placement]:checked') as HTMLInputElement).value === 'splice';
  ($('opt-hidden') as HTMLInputElement).checked = !splice;
  $('opt-hidden-note').textContent = splice ? 'Usually left out when merging.' : 'Usually included in a new folder.';
}

function updateConvertState(): void {
  // Folder options only mean something for PST/OST files.
  const anyPst = entries.some((e) => e.exam?.family === 'pst');
  for (const el of document.querySelectorAll<HTMLElement>('[data-pst]')) el.hidden = !anyPst;
  const btn = $('btn-convert') as HTMLButtonElement;
  const pending = entries.some((e) => !e.exam && !e.error);
  const usable = entries.filter((e) => e.exam && e.exam.family !== 'none' && !e.exam.error);
  btn.disabled = pending || usable.length === 0;
  $('convert-note').textContent = pending
    ? 'Examining files…'
    : usable.length === 0
      ? 'None of these files can be converted.'
      : `${plural(usable.length, 'file')} ready (${formatBytes(usable.reduce((a, e) => a + e.file.size, 0))}).`;
}

// ---------------------------------------------------------------------------------------------
// Output targets

const hasSavePicker = 'showSaveFilePicker' in window && 'showDirectoryPicker' in window;

/** What one output stream is made of: a PST/OST, or loose files of one kind (as `<kind>2mt a b c`). */
interface Plan {
  entries: Entry[];
  name: string;
  label: string;
  size: number;
}

const GROUP_NAMES: Record<string, string> = { eml: 'messages', mbox: 'mailboxes', tnef: 'tnef-messages', ics: 'calendars', vcf: 'contacts' };

function planJobs(list: Entry[], separate: boolean): Plan[] {
  const one = (entries: Entry[], name: string): Plan => ({
    entries,
    name,
    label: entries.length === 1 ? entries[0]!.file.name : `${entries.length} ${KIND_NAMES[entries[0]!.exam!.kind] ?? 'files'}`,
    size: entries.reduce((a, e) => a + e.file.size, 0),
  });
  const single = (e: Entry) => one([e], `${e.file.name.replace(/\.[^.]*$/, '') || 'mailbox'}.mt`);
  const plans: Plan[] = [];
  const groups = new Map<string, Entry[]>();
  for (const e of list) {
    if (separate || e.exam!.family === 'pst') plans.push(single(e));
    else groups.set(e.exam!.kind, [...(groups.get(e.exam!.kind) ?? []), e]);
  }
  for (const [kind, g] of groups) plans.push(g.length === 1 ? single(g[0]!) : one(g, `${GROUP_NAMES[kind] ?? kind}-${g.length}-files.mt`));
  const names = uniqueNames(plans.map((p) => p.name));
  plans.forEach((p, i) => (p.name = names[i]!));
  return plans;
}

const KIND_NAMES: Record<string, string> = { eml: 'e-mail files', mbox: 'mbox files', tnef: 'TNEF files', ics: 'calendar files', vcf: 'vCard files' };

async function opfsDir(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(OUTPUT_DIR, { create: true });
}

/**
 * Remove a half-written OPFS output. A terminated worker releases its access handle a moment
 * later, so retry briefly while the file is still locked.
 */
async function removeOpfsOutput(name: string): Promise<void> {
  const dir = await opfsDir();
  for (let i = 0; i < 50; i++) {
    try {
      await dir.removeEntry(name);
      return;
    } catch (e) {
      if ((e as Error).name === 'NotFoundError') return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

interface Job {
  plan: Plan;
  output: string;
  target: OutputTarget;
  li: HTMLLIElement;
  bar: HTMLProgressElement;
  state: HTMLElement;
  done: number;
  items: number;
  result?: ConvertResult;
  error?: string;
}

async function chooseTargets(plans: Plan[]): Promise<OutputTarget[] | undefined> {
  const save = (document.querySelector('input[name=save]:checked') as HTMLInputElement | null)?.value;
  const names = plans.map((p) => p.name);
  if (!isKiosk && hasSavePicker && save === 'picker') {
    type Picker = (o: object) => Promise<FileSystemFileHandle>;
    type DirPicker = (o: object) => Promise<FileSystemDirectoryHandle>;
    try {
      if (plans.length === 1) {
        const handle = await (window as unknown as { showSaveFilePicker: Picker }).showSaveFilePicker({
          suggestedName: names[0],
          types: [{ description: 'grommunio MT stream', accept: { 'application/octet-stream': ['.mt'] } }],
        });
        return [{ kind: 'handle', handle }];
      }
      const dir = await (window as unknown as { showDirectoryPicker: DirPicker }).showDirectoryPicker({ mode: 'readwrite' });
      return Promise.all(names.map(async (n) => ({ kind: 'handle' as const, handle: await dir.getFileHandle(n, { create: true }) })));
    } catch (e) {
      if ((e as Error).name === 'AbortError') return undefined;
      throw e;
    }
  }
  // Streams of the previous job were offered for download then; they go now, so the browser's
  // storage holds at most one job's output.
  const dir = await opfsDir();
  const old: string[] = [];
  for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) old.push(name);
  for (const name of old) await removeOpfsOutput(name);
  const need = plans.reduce((a, p) => a + p.size, 0);
  const est = await navigator.storage.estimate?.().catch(() => undefined);
  if (est?.quota !== undefined && est.usage !== undefined && est.quota - est.usage < need) {
    const ok = confirm(`This browser may not have room for the result (about ${formatBytes(need)} needed, ${formatBytes(est.quota - est.usage)} free). Try anyway?`);
    if (!ok) return undefined;
  }
  return names.map((name) => ({ kind: 'opfs', name }));
}

function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = seen.get(n) ?? 0;
    seen.set(n, k + 1);
    return k === 0 ? n : n.replace(/\.mt$/, `-${k + 1}.mt`);
  });
}

// ---------------------------------------------------------------------------------------------
// Convert

async function convert(): Promise<void> {
  const list = entries.filter((e) => e.exam && e.exam.family !== 'none' && !e.exam.error);
  if (list.length === 0) return;
  const options = readOptions();
  const plans = planJobs(list, ($('opt-separate') as HTMLInputElement).checked);
  let targets: OutputTarget[] | undefined;
  try {
    targets = await chooseTargets(plans);
  } catch (e) {
    alertText(`Cannot save there: ${(e as Error).message}`);
    return;
  }
  if (!targets) return;
  void saveSettings({ save: (document.querySelector('input[name=save]:checked') as HTMLInputElement)?.value as 'picker' | 'opfs', codepage: String(options.codepage ?? ''), rootTarget: options.rootTarget, mtVersion: String(options.mtVersion) });

  const jobs: Job[] = plans.map((plan, i) => {
    const bar = h('progress', { max: 1, value: 0, 'aria-label': `Progress of ${plan.label}` }) as HTMLProgressElement;
    const state = h('p', { class: 'state', 'aria-live': 'off' }, 'Waiting…');
    const li = h('li', {}, h('strong', {}, plan.label), bar, state);
    const t = targets![i]!;
    return { plan, output: t.kind === 'opfs' ? t.name : t.handle.name, target: t, li, bar, state, done: 0, items: 0 };
  });
  $('progress-list').replaceChildren(...jobs.map((j) => j.li));
  $('progress-title').textContent = 'Converting…';
  ($('overall-bar') as HTMLProgressElement).value = 0;
  $('overall-text').textContent = 'Starting…';
  show('progress');
  const controller = new AbortController();
  running = controller;
  const started = performance.now();
  const total = jobs.reduce((a, j) => a + j.plan.size, 0) || 1;

  const tick = () => {
    const done = jobs.reduce((a, j) => a + j.done, 0);
    const items = jobs.reduce((a, j) => a + j.items, 0);
    const frac = Math.min(1, done / total);
    const secs = (performance.now() - started) / 1000;
    ($('overall-bar') as HTMLProgressElement).value = frac;
    const eta = frac > 0.02 && frac < 1 ? ` · about ${formatDuration((secs * (1 - frac)) / frac)} left` : '';
    const rate = secs > 0.5 ? ` · ${Math.round(items / secs).toLocaleString('en')} items/s` : '';
    $('overall-text').textContent = `${Math.round(frac * 100)} % of ${formatBytes(total)} · ${plural(items, 'item')}${rate}${eta}`;
  };
  const timer = setInterval(tick, 500);

  await Promise.all(
    jobs.map(async (job) => {
      const size = job.plan.size;
      const first = job.plan.entries[0]!;
      const onProgress = Comlink.proxy((p: ConvertProgress) => {
        job.done = p.bytesTotal > 0 ? (size * p.bytesDone) / p.bytesTotal : 0;
        job.items = p.items;
        job.bar.value = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 0;
        job.state.textContent = `${Math.round(job.bar.value * 100)} % · ${plural(p.items, 'item')}${p.skipped ? ` · ${p.skipped} skipped` : ''}`;
      });
      try {
        job.state.textContent = 'Starting…';
        const tree = first.exam?.tree;
        const opts: ConvertOptions = {
          ...options,
          onlyNids: [...first.only],
          // The root folder is named after the file and its modification time, as the CLI does.
          importTime: first.file.lastModified,
          expectedItems: tree ? selectedItems(tree, first.only) : undefined,
        };
        const inputs = job.plan.entries.map((e) => ({ file: e.file, name: e.file.name }));
        job.result = await pool.run(
          (api) => api.convert(inputs, opts, job.target, onProgress),
          controller.signal,
        );
        job.done = size;
        job.items = job.result.items;
        job.bar.value = 1;
        job.state.textContent = `Done · ${plural(job.result.items, 'item')} · ${formatBytes(job.result.bytesWritten)}`;
      } catch (e) {
        job.error = e instanceof CancelledError ? 'cancelled' : (e as Error).message;
        job.state.textContent = e instanceof CancelledError ? 'Cancelled' : `Failed: ${job.error}`;
        job.state.classList.add('error-text');
        if (job.target.kind === 'opfs') {
          // A half-written stream is worthless; remove it (after the worker released it).
          await removeOpfsOutput(job.target.name);
        }
      }
    }),
  );
  clearInterval(timer);
  tick();
  running = undefined;
  await finish(jobs, controller.signal.aborted, performance.now() - started);
}

async function finish(jobs: Job[], cancelled: boolean, ms: number): Promise<void> {
  const ok = jobs.filter((j) => j.result);
  const items = ok.reduce((a, j) => a + j.result!.items, 0);
  const skipped = ok.flatMap((j) => j.result!.skipped.map((s) => ({ ...s, file: s.file || j.plan.label })));
  const bytes = ok.reduce((a, j) => a + j.result!.bytesWritten, 0);
  $('done-title').textContent = cancelled ? 'Cancelled' : ok.length < jobs.length ? 'Finished with problems' : skipped.length ? 'Done, with skipped items' : 'Done';
  $('done-summary').textContent = cancelled
    ? `The conversion was cancelled after ${formatDuration(ms / 1000)}.${ok.length ? ` ${plural(ok.length, 'stream')} finished before that.` : ''}`
    : `${plural(items, 'item')} converted into ${plural(ok.length, 'stream')} in ${formatDuration(ms / 1000)}; ${skipped.length ? `${plural(skipped.length, 'problem')} listed below.` : 'nothing skipped.'}`;

  const outs = await Promise.all(
    jobs.map(async (j) => {
      if (!j.result) return h('li', {}, h('strong', {}, j.plan.label), ' — ', h('span', { class: 'error-text' }, j.error === 'cancelled' ? 'cancelled' : `failed: ${j.error}`));
      const what = `${j.output} (${formatBytes(j.result.bytesWritten)}, ${plural(j.result.items, 'item')})`;
      if (j.target.kind === 'handle') return h('li', {}, 'Saved ', h('strong', {}, what));
      const name = j.target.name;
      return h('li', { 'data-workers': String(j.result.workers ?? 0) }, h('strong', {}, what), ' ',
        h('button', {
          type: 'button', class: 'button primary download', 'data-file': name,
          onclick: async () => download(await (await (await opfsDir()).getFileHandle(name)).getFile(), name),
        }, `Download ${name}`));
    }),
  );
  $('outputs').replaceChildren(...outs);
  $('outputs-note').hidden = !jobs.some((j) => j.result && j.target.kind === 'opfs');
  const tbody = $('skipped-table').querySelector('tbody')!;
  tbody.replaceChildren(...skipped.slice(0, 5000).map((s) => h('tr', {}, h('td', {}, s.file), h('td', {}, s.item || 'file structure'), h('td', {}, `${s.reason} (${s.code})`))));
  $('skipped-title').textContent = `Skipped items and damage (${skipped.length})`;
  $('skipped-box').hidden = skipped.length === 0;
  $('btn-finish').hidden = !isKiosk;
  show('done');

  const record: JobRecord = {
    at: new Date().toISOString(),
    files: jobs.flatMap((j) => j.plan.entries).map((e) => ({ name: e.file.name, size: e.file.size, kind: e.exam?.kind ?? '?', verdict: e.report?.verdict ?? e.exam?.verdict ?? '?' })),
    outcome: cancelled ? 'cancelled' : ok.length === jobs.length ? 'done' : 'failed',
    items,
    skipped: skipped.length,
    outputBytes: bytes,
    durationMs: Math.round(ms),
    error: jobs.find((j) => j.error && j.error !== 'cancelled')?.error,
  };
  if (!isKiosk) await addJob(record).catch(() => {});
  if (isKiosk) armKioskTimeout();
}

// ---------------------------------------------------------------------------------------------
// History

async function showHistory(): Promise<void> {
  const jobs = await listJobs().catch(() => []);
  $('history-content').replaceChildren(
    jobs.length === 0
      ? h('p', {}, 'No jobs yet.')
      : h('div', { class: 'table-wrap' }, h('table', {},
          h('thead', {}, h('tr', {}, ...['When', 'Files', 'Outcome', 'Items', 'Skipped', 'Output', 'Time'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, ...jobs.map((j) => h('tr', {},
            h('td', {}, new Date(j.at).toLocaleString()),
            h('td', {}, j.files.map((f) => `${f.name} (${formatBytes(f.size)}, ${f.kind}, ${f.verdict})`).join('; ')),
            h('td', {}, j.outcome + (j.error ? `: ${j.error}` : '')),
            h('td', {}, j.items), h('td', {}, j.skipped), h('td', {}, formatBytes(j.outputBytes)), h('td', {}, formatDuration(j.durationMs / 1000))))))),
  );
  ($('history-dialog') as HTMLDialogElement).showModal();
}

// ---------------------------------------------------------------------------------------------
// Start over, kiosk

function reset(): void {
  running?.abort();
  entries.splice(0).forEach((e) => e.card.remove());
  ($('file-input') as HTMLInputElement).value = '';
  ($('dir-input') as HTMLInputElement).value = '';
  show('start');
}

let kioskTimer: ReturnType<typeof setTimeout> | undefined;
function armKioskTimeout(): void {
  clearTimeout(kioskTimer);
  // Someone walked away from a finished job: wipe after 3 minutes without input.
  kioskTimer = setTimeout(() => void kioskFinish(), 3 * 60_000);
}

async function kioskFinish(): Promise<void> {
  clearTimeout(kioskTimer);
  pool.terminateAll();
  await wipeUserData();
  location.replace(location.pathname + location.search);
}

// ---------------------------------------------------------------------------------------------
// Wiring

async function loadDemo(): Promise<void> {
  const btn = $('btn-demo') as HTMLButtonElement;
  btn.disabled = true;
  try {
    const res = await fetch(__DEMO_URL__);
    if (!res.ok) throw new Error(res.status === 404 ? 'the demo mailbox is not part of this build' : `HTTP ${res.status}`);
    addFiles([new File([await res.blob()], 'demo-mailbox.pst', { type: 'application/vnd.ms-outlook' })]);
  } catch (e) {
    $('drop-help').textContent = `Could not load the demo mailbox: ${(e as Error).message}.`;
  } finally {
    btn.disabled = false;
  }
}

function netStatus(): void {
  const el = $('net-status');
  el.textContent = navigator.onLine ? 'Nothing is uploaded' : 'Offline — everything still works';
  el.classList.toggle('offline', !navigator.onLine);
}

/**
 * The service worker precaches the app. A new version installs in the background and waits; the
 * page offers a reload instead of swapping files under a running conversion.
 */
async function registerServiceWorker(): Promise<void> {
  let reg: ServiceWorkerRegistration;
  try {
    reg = await navigator.serviceWorker.register('./sw.js', { scope: './' });
  } catch (e) {
    console.warn('service worker:', e);
    return;
  }
  const btn = $('btn-update') as HTMLButtonElement;
  const offer = () => {
    if (reg.waiting && navigator.serviceWorker.controller) btn.hidden = false;
  };
  offer();
  reg.addEventListener('updatefound', () => reg.installing?.addEventListener('statechange', offer));
  btn.addEventListener('click', () => {
    if (running && !confirm('A conversion is running. Reload anyway and lose it?')) return;
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
    reg.waiting?.postMessage({ type: 'SKIP_WAITING' });
  });
}

async function init(): Promise<void> {
  if (isKiosk) {
    // Whatever an interrupted session left (tab closed, power cut) goes before anyone sees the page.
    await wipeUserData().catch((e) => console.warn('kiosk wipe:', e));
    document.body.classList.add('kiosk');
    document.documentElement.classList.add('kiosk');
    $('btn-again').hidden = true;
    $('kiosk-steps').hidden = false;
    document.addEventListener('pointerdown', () => {
      if (!document.fullscreenElement) document.documentElement.requestFullscreen?.().catch(() => {});
    }, { once: true });
    for (const ev of ['pointerdown', 'keydown']) document.addEventListener(ev, () => { if (document.body.dataset.screen === 'done') armKioskTimeout(); });
  }
  if (!hasSavePicker) {
    $('save-picker-choice').hidden = true;
    (document.querySelector('input[name=save][value=opfs]') as HTMLInputElement).checked = true;
  }
  if (!('webkitdirectory' in HTMLInputElement.prototype)) $('dir-label').hidden = true;
  const settings = isKiosk ? {} : await loadSettings().catch(() => ({}) as Awaited<ReturnType<typeof loadSettings>>);
  if (settings.save && (settings.save === 'opfs' || hasSavePicker)) {
    (document.querySelector(`input[name=save][value=${settings.save}]`) as HTMLInputElement).checked = true;
  }
  if (settings.codepage !== undefined) ($('opt-codepage') as HTMLSelectElement).value = settings.codepage;
  if (settings.rootTarget) ($('opt-root') as HTMLSelectElement).value = settings.rootTarget;
  if (settings.mtVersion) ($('opt-version') as HTMLSelectElement).value = settings.mtVersion;

  syncHiddenDefault();
  for (const r of document.querySelectorAll('input[name=placement]')) r.addEventListener('change', syncHiddenDefault);

  const fileInput = $('file-input') as HTMLInputElement;
  const dirInput = $('dir-input') as HTMLInputElement;
  fileInput.addEventListener('change', () => { addFiles([...(fileInput.files ?? [])]); fileInput.value = ''; });
  dirInput.addEventListener('change', () => { addFiles([...(dirInput.files ?? [])]); dirInput.value = ''; });
  $('btn-add-more').addEventListener('click', () => fileInput.click());
  $('btn-demo').addEventListener('click', () => void loadDemo());
  $('btn-clear').addEventListener('click', reset);

  const dz = $('dropzone');
  dz.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && e.target === dz) { e.preventDefault(); fileInput.click(); }
  });
  // Drops anywhere on the page count, so a near miss does not open the file in the tab.
  document.addEventListener('dragover', (e) => { e.preventDefault(); dz.classList.add('over'); });
  document.addEventListener('dragleave', (e) => { if (!e.relatedTarget) dz.classList.remove('over'); });
  document.addEventListener('drop', async (e) => {
    e.preventDefault();
    dz.classList.remove('over');
    if (e.dataTransfer && !running) addFiles(await filesFromDrop(e.dataTransfer));
  });

  $('options').addEventListener('submit', (e) => { e.preventDefault(); void convert(); });
  $('btn-cancel').addEventListener('click', () => { $('progress-title').textContent = 'Cancelling…'; running?.abort(); });
  $('btn-again').addEventListener('click', reset);
  $('btn-finish').addEventListener('click', () => void kioskFinish());

  $('btn-report-close').addEventListener('click', () => ($('report-dialog') as HTMLDialogElement).close());
  $('btn-print').addEventListener('click', () => window.print());
  $('btn-save-json').addEventListener('click', () => {
    if (!shownReport) return;
    download(new Blob([JSON.stringify(shownReport, null, 2) + '\n'], { type: 'application/json' }), `${shownReport.file.name}.validation.json`);
  });
  $('btn-history').addEventListener('click', () => void showHistory());
  $('btn-history-close').addEventListener('click', () => ($('history-dialog') as HTMLDialogElement).close());
  $('btn-history-clear').addEventListener('click', async () => { await clearJobs(); await showHistory(); });

  netStatus();
  addEventListener('online', netStatus);
  addEventListener('offline', netStatus);
  addEventListener('beforeunload', (e) => { if (running) e.preventDefault(); });

  if (import.meta.env.PROD && 'serviceWorker' in navigator) void registerServiceWorker();
  show('start', false);
  document.body.dataset.ready = '1';
}

void init();
