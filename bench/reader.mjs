/**
 * Reader benchmark: generates PST files with the built PST writer (attachment-heavy ~1 GiB,
 * message-heavy ~1 GiB (400k messages) and a small message-heavy one (30k messages, ~0.12 GiB,
 * where start-up weighs most); ~4 GiB of each too with MAILFERRY_BENCH_4G=1), then times, with
 * peak RSS from /usr/bin/time -v, on the same file in the same run (best of
 * MAILFERRY_BENCH_REPEAT rounds, default 3; pffexport, and any run over a minute, once):
 *   mailferry inspect, mailferry validate --full, a full walk reading every property and
 *   attachment through the reader API (one thread, and one per core as pff2mt --jobs does; with
 *   the engine settings the mailferry command uses, cli/engine.ts, and node started as its
 *   launcher starts it for commands without start-up flags of their own; the mailferry commands
 *   run through the launcher, cli/bin/mailferry),
 *   pffexport -f all, readpst (its default, folders in parallel processes, and -j 0).
 * Prints a table and the ratios the issue sets targets for (walk vs readpst and pffexport,
 * validate --full MiB/s, peak RSS, folder-tree time). Runs built code only (dist/node).
 * The reference tools slow down faster than linearly with the message count (readpst took 76 s on
 * 250k messages, pffexport did not finish in 14 minutes), so each run of them is stopped after
 * MAILFERRY_BENCH_TIMEOUT seconds (default 300); a stopped run is shown as "> N s" and the
 * ratio against it as a lower bound.
 * Environment: MAILFERRY_BENCH_DIR (scratch dir, default the OS temp dir), MAILFERRY_BENCH_GB
 * (size of the attachment-heavy case, default 1), MAILFERRY_BENCH_MESSAGES (messages of the
 * small message-heavy case, default 30000; 0 leaves it out), MAILFERRY_BENCH_4G=1 (add the
 * ~4 GiB cases), MAILFERRY_BENCH_8G=1 (add an ~8 GiB attachment-heavy case), MAILFERRY_BENCH_REPEAT
 * (rounds, default 3), MAILFERRY_BENCH_TIMEOUT.
 * Peak RSS is the highest of a tool's runs (each run's is listed); at the end, the peaks of
 * inspect, validate and the walk are set side by side by file size (the target: flat from 1 to 4 GiB).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAILFERRY, STOP_AFTER as TIMEOUT, asExecutable, stoppable, wasStopped } from './lib/measure.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const gen = join(root, 'cli/bin/mailferry-pstgen.js');
/** Threads of the parallel walk (as pff2mt --jobs N would use). */
const THREADS = Math.max(2, Math.min(4, availableParallelism()));

const WALK = `
import { isMainThread, Worker, workerData, parentPort } from 'node:worker_threads';
// The engine settings the mailferry command applies before its converters load (cli/engine.ts).
import { tuneEngine } from ${JSON.stringify(join(root, 'dist/node/cli/engine.js'))};
tuneEngine();
const { openFileSource } = await import(${JSON.stringify(join(root, 'dist/node/cli/io.js'))});
const { openPst } = await import(${JSON.stringify(join(root, 'dist/node/worker/pst/index.js'))});
// THREADS=N: N worker threads each open the file and read every N-th message of the traversal
// (the way pff2mt --jobs shares the work); the main thread times the folder tree and sums up.
const threads = Number(process.env.THREADS ?? 1);
const part = isMainThread ? { i: 0, n: 1 } : workerData;
const t0 = performance.now();
const src = await openFileSource(process.argv[2]);
const pst = await openPst(src);
let messages = 0, props = 0, attachments = 0, bytes = 0, index = 0;
const count = (m) => {
  props += m.props.length;
  for (const p of m.props) if (p.value instanceof Uint8Array) bytes += p.value.length; else if (typeof p.value === 'string') bytes += p.value.length;
  for (const r of m.recipients) props += r.length;
  for (const a of m.attachments) {
    attachments++;
    props += a.props.length;
    for (const p of a.props) if (p.value instanceof Uint8Array) bytes += p.value.length;
    if (a.embedded) count(a.embedded);
  }
};
const rec = async (f) => {
  for (const assoc of [false, true]) for await (const ref of f.messages({ assoc })) {
    if (index++ % part.n !== part.i) continue;
    messages++;
    const m = await pst.readMessage(ref.nid);
    count(m);
    pst.recycle(m); // done with it, as a streaming consumer (pff2mt) says: large buffers are reused
  }
  for (const s of await f.subfolders()) await rec(s);
};
await pst.store();
const tree0 = performance.now();
const root = await pst.rootFolder();
const countFolders = async (f) => { let n = 1; for (const s of await f.subfolders()) n += await countFolders(s); return n; };
const folders = await countFolders(root);
const treeMs = performance.now() - tree0;
if (isMainThread && threads > 1) {
  const url = new URL(import.meta.url);
  const parts = await Promise.all(Array.from({ length: threads }, (_, i) => new Promise((resolve, reject) => {
    const w = new Worker(url, { workerData: { i, n: threads }, argv: [process.argv[2]] });
    w.on('message', resolve);
    w.on('error', reject);
  })));
  for (const r of parts) { messages += r.messages; props += r.props; attachments += r.attachments; bytes += r.bytes; }
} else {
  await rec(root);
}
const res = { messages, props, attachments, bytes, folders, treeMs, threads, ms: performance.now() - t0 };
if (isMainThread) process.stdout.write(JSON.stringify(res) + '\\n');
else parentPort.postMessage(res);
await src.close();
`;

/** The reference tools (rows named so): a run of one is stopped after TIMEOUT seconds. */
const REFERENCE = new Set(['pffexport', 'readpst', 'readpst1']);

function timed(cmd, args, opts = {}, limit = 0) {
  const argv = ['-v', ...stoppable(cmd, args, limit)];
  const r = spawnSync('/usr/bin/time', argv, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const seconds = wall ? (Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3])) : NaN;
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const cpu = user && sys ? Number(user[1]) + Number(sys[1]) : NaN;
  const stopped = wasStopped(limit, r.status);
  return { seconds, cpu, rssMiB: rss ? Number(rss[1]) / 1024 : NaN, status: stopped ? 0 : r.status, stopped, stdout: r.stdout, stderr: r.stderr };
}

function have(tool) {
  return existsSync(`/usr/bin/${tool}`);
}

export async function run(log = console.log) {
  if (!existsSync(join(root, 'dist/node/worker/pst/index.js')) || !existsSync(join(root, 'dist/node/cli/pstgen/main.js'))) {
    log('reader: dist/node is missing; run `npm run build:node` first. Skipped.');
    return;
  }
  // The walk starts node as the mailferry launcher does for commands without settings of their own.
  const launch = await asExecutable();
  if (!have('time')) {
    log('reader: /usr/bin/time is missing (needed for peak RSS). Skipped.');
    return;
  }
  const dir = mkdtempSync(join(process.env.MAILFERRY_BENCH_DIR ?? tmpdir(), 'mailferry-bench-reader-'));
  const walkScript = join(dir, 'walk.mjs');
  writeFileSync(walkScript, WALK);
  const gb = Number(process.env.MAILFERRY_BENCH_GB ?? 1);
  const small = Number(process.env.MAILFERRY_BENCH_MESSAGES ?? 30000);
  // Message-heavy: ~2.5 KiB per message on disk (bodies, recipients, a few small attachments).
  const messageHeavy = (gib) => ({ name: `message-heavy ${gib} GiB`, args: ['--variant', 'unicode', '--crypt', 'permute', '--messages', String(Math.round(400000 * gib)), '--attachment-mib', '50'], heap: 8192 });
  const cases = [
    { name: `attachment-heavy ${gb} GiB`, args: ['--variant', 'unicode', '--crypt', 'permute', '--messages', String(Math.round(3000 * gb)), '--attachment-mib', String(Math.round(1000 * gb))] },
    messageHeavy(gb),
  ];
  if (small > 0) cases.push({ name: `message-heavy ${small} messages`, args: ['--variant', 'unicode', '--crypt', 'permute', '--messages', String(small), '--attachment-mib', '50'] });
  if (process.env.MAILFERRY_BENCH_4G === '1') {
    cases.push({ name: 'attachment-heavy 4 GiB', args: ['--variant', 'unicode', '--crypt', 'permute', '--messages', '12000', '--attachment-mib', '4000'] });
    cases.push(messageHeavy(4));
  }
  if (process.env.MAILFERRY_BENCH_8G === '1') {
    cases.push({ name: 'attachment-heavy 8 GiB', args: ['--variant', 'unicode', '--crypt', 'permute', '--messages', '24000', '--attachment-mib', '8000'] });
  }
  const results = [];
  try {
    for (const c of cases) {
      const file = join(dir, 'bench.pst');
      log(`reader: generating ${c.name} ...`);
      execFileSync(process.execPath, [...(c.heap ? [`--max-old-space-size=${c.heap}`] : []), gen, ...c.args, '-q', '-o', file], { stdio: 'inherit' });
      const size = statSync(file).size;
      const mib = size / 1048576;
      const row = { case: c.name, sizeMiB: Math.round(mib) };
      // Rounds over the tools in turn (pffexport, and a tool whose first run took over a minute,
      // only in the first); each row keeps its best wall time with that run's CPU time, and the
      // highest peak RSS of its runs.
      // Before every run the previous output is written back (sync) and the file read once
      // (cat), so each tool starts with the file in the page cache: this machine reclaims the
      // cache within seconds, and single runs vary by tens of percent.
      const rounds = Math.max(1, Number(process.env.MAILFERRY_BENCH_REPEAT ?? 3));
      const out = join(dir, 'out');
      const tools = [
        ['inspect', MAILFERRY, ['inspect', file, '--json']],
        ['validate', MAILFERRY, ['validate', file, '--full', '--quiet']],
        ['walk', ...launch(walkScript, file)],
        ['walkPar', ...launch(walkScript, file), { env: { ...process.env, THREADS: String(THREADS) } }],
        ['pffexport', '/usr/bin/pffexport', ['-f', 'all', '-q', '-t', out, file]],
        ['readpst', '/usr/bin/readpst', ['-q', '-o', out, file]],
        ['readpst1', '/usr/bin/readpst', ['-j', '0', '-q', '-o', out, file]],
      ].filter(([name, cmd]) => !REFERENCE.has(name) || existsSync(cmd));
      const runs = {};
      for (let round = 0; round < rounds; round++) {
        for (const [name, cmd, args, opts] of tools) {
          if (round > 0 && (name === 'pffexport' || runs[name]?.[0]?.seconds > 60)) continue;
          rmSync(`${out}.export`, { recursive: true, force: true });
          rmSync(out, { recursive: true, force: true });
          if (name.startsWith('readpst')) mkdirSync(out, { recursive: true });
          execFileSync('sync');
          execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] });
          (runs[name] ??= []).push(timed(cmd, args, opts, REFERENCE.has(name) ? TIMEOUT : 0));
        }
      }
      rmSync(`${out}.export`, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
      for (const [name, list] of Object.entries(runs)) {
        const best = list.reduce((x, y) => (y.seconds < x.seconds ? y : x));
        row[name] = { ...best, rssMiB: Math.max(...list.map((x) => x.rssMiB)), all: list.map((x) => x.seconds), allRss: list.map((x) => x.rssMiB) };
      }
      try {
        row.walkInfo = JSON.parse(row.walk.stdout.trim().split('\n').pop());
      } catch {
        row.walkInfo = undefined;
      }
      rmSync(file, { force: true });
      results.push(row);
      const f = (r) =>
        !r ? 'n/a'
        : r.stopped ? `> ${TIMEOUT} s (stopped)`
        : `${r.seconds.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s cpu, ${r.rssMiB.toFixed(0)} MiB peak${r.status ? ` (exit ${r.status})` : ''}${r.all.length > 1 ? `  runs ${r.all.map((x) => x.toFixed(2)).join('/')} s, ${r.allRss.map((x) => x.toFixed(0)).join('/')} MiB` : ''}`;
      // A ratio against a stopped run is a lower bound.
      const ratio = (ref, ours) => `${ref.stopped ? '> ' : ''}${(ref.seconds / ours.seconds).toFixed(2)}x`;
      log(`reader: ${c.name} (${row.sizeMiB} MiB)`);
      log(`  mailferry inspect          ${f(row.inspect)}`);
      log(`  mailferry validate --full  ${f(row.validate)}  = ${(mib / row.validate.seconds).toFixed(0)} MiB/s`);
      log(`  full walk (reader API)     ${f(row.walk)}${row.walkInfo ? `  ${row.walkInfo.messages} msgs, ${row.walkInfo.attachments} atts, folder tree ${row.walkInfo.treeMs.toFixed(0)} ms` : ''}`);
      log(`  full walk, ${THREADS} threads       ${f(row.walkPar)}`);
      log(`  pffexport -f all           ${f(row.pffexport)}`);
      log(`  readpst                    ${f(row.readpst)}  (its default: folders in parallel processes)`);
      log(`  readpst -j 0               ${f(row.readpst1)}  (one process)`);
      // Wall time is what the targets are about; CPU time is shown too because a shared machine
      // makes wall times of one run noisy.
      const cpuRatio = (ref, ours) => (ref.stopped ? '' : `, ${(ref.cpu / ours.cpu).toFixed(2)}x cpu`);
      if (row.readpst) log(`  walk vs readpst:   ${ratio(row.readpst, row.walk)} wall${cpuRatio(row.readpst, row.walk)} (target >= 1); ${THREADS} threads: ${ratio(row.readpst, row.walkPar)} wall`);
      if (row.readpst1) log(`  walk vs readpst -j 0: ${ratio(row.readpst1, row.walk)} wall (one core each)`);
      if (row.pffexport) log(`  walk vs pffexport: ${ratio(row.pffexport, row.walk)} wall${cpuRatio(row.pffexport, row.walk)} (target >= 2)`);
      log(`  validate --full:   ${(mib / row.validate.seconds).toFixed(0)} MiB/s wall, ${(mib / row.validate.cpu).toFixed(0)} MiB/s cpu (target >= 200)`);
      if (row.walkInfo) log(`  folder tree:       ${row.walkInfo.treeMs.toFixed(0)} ms (target < 1000)`);
    }
    sizeSummary(results, log);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

/** Peak RSS of inspect, validate and the walk by file size, per kind of file (the target: flat from 1 to 4 GiB). */
export function sizeSummary(results, log) {
  for (const kind of ['attachment-heavy', 'message-heavy']) {
    const rows = results.filter((r) => r.case.startsWith(`${kind} `) && / GiB$/.test(r.case));
    if (rows.length < 2) continue;
    log(`reader: peak RSS of ${kind} files by size (${rows.map((r) => r.case.slice(kind.length + 1)).join(' -> ')})`);
    for (const tool of ['inspect', 'validate', 'walk']) {
      const peaks = rows.map((r) => r[tool]?.rssMiB);
      if (peaks.some((x) => !(x > 0))) continue;
      // Each step with its growth over the one before.
      const pct = (a, b) => `${b >= a ? '+' : ''}${Math.round((b / a - 1) * 100)} %`;
      log(`  ${tool.padEnd(9)} ${peaks.map((x, i) => `${x.toFixed(0)} MiB${i ? ` (${pct(peaks[i - 1], x)})` : ''}`).join(' -> ')}`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
