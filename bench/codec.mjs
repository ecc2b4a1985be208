/**
 * Codec benchmark (issue 2): our wasm kernels against the alternatives a reader could use, on the
 * same generated data in one run. Prints MiB/s (of uncompressed bytes) and the ratios the issue
 * sets targets for: inflate on 8 KiB zlib blocks >= 2x fflate with preallocated output and
 * >= 0.5x node:zlib; CRC >= 1.3x a plain-JS slicing-by-8 CRC. LZFu runs on the real RTF bodies of
 * the corpus OST (exported with pffexport, when both are present) and on generated RTF.
 *
 * Uses the built wrapper (dist/node/worker/codec/index.js, see bench/run.mjs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 as zlibCrc32, deflateSync, inflateSync } from 'node:zlib';
import { unzlibSync } from 'fflate';
import { rng } from './lib/measure.mjs';

const MiB = 1024 * 1024;

const WORDS = (
  'the of and to a in is you that it he was for on are as with his they I at be this have from or one had by ' +
  'word but not what all were we when your can said there use an each which she do how their if will up other ' +
  'about out many then them these so some her would make like him into time has look two more write go see number ' +
  'meeting project invoice attached please regards thanks report schedule update review budget quarter customer ' +
  'delivery contract proposal agenda minutes deadline approval colleagues team office tomorrow Monday Friday'
).split(' ');
const NAMES = ['Alice Meyer', 'Bob Schulz', 'Carla Rossi', 'Dmitri Ivanov', 'Eva Novak', 'Farid Haddad'];

/** Mail-like text: headers, paragraphs with a skewed word distribution, quoted replies, some HTML. */
function mailText(bytes, seed) {
  const r = rng(seed);
  const pick = (arr) => arr[Math.floor(Math.pow(r(), 2.2) * arr.length)];
  let s = '';
  let msg = 0;
  while (s.length < bytes) {
    msg++;
    const from = pick(NAMES);
    s += `From: ${from} <${from.split(' ')[0].toLowerCase()}@example.com>\r\nTo: ${pick(NAMES)}\r\n`;
    s += `Subject: Re: ${pick(WORDS)} ${pick(WORDS)} ${msg}\r\nDate: Mon, ${1 + (msg % 28)} Jan 2024 10:${String(msg % 60).padStart(2, '0')}:00 +0100\r\n\r\n`;
    const paras = 2 + Math.floor(r() * 4);
    for (let p = 0; p < paras; p++) {
      const quote = r() < 0.3 ? '> ' : '';
      let line = quote;
      const n = 20 + Math.floor(r() * 60);
      for (let w = 0; w < n; w++) {
        line += pick(WORDS) + (r() < 0.08 ? ', ' : r() < 0.06 ? '. ' : ' ');
        if (line.length > 72) {
          s += line.trimEnd() + '\r\n';
          line = quote;
        }
      }
      s += line + '\r\n\r\n';
    }
    if (r() < 0.3) s += `<p style="margin:0">Best regards,<br>${from}</p>\r\n`;
    else s += `Best regards,\r\n${from}\r\n`;
  }
  return new TextEncoder().encode(s.slice(0, bytes));
}

/** Realistic RTF body (as Outlook writes for plain/HTML-derived mail). */
function rtfBody(bytes, seed) {
  const text = new TextDecoder().decode(mailText(bytes, seed));
  let s =
    '{\\rtf1\\ansi\\ansicpg1252\\fromtext \\fbidis \\deff0{\\fonttbl\r\n{\\f0\\fswiss Arial;}\r\n' +
    '{\\f1\\fmodern Courier New;}\r\n{\\f2\\fnil\\fcharset2 Symbol;}\r\n{\\f3\\fmodern\\fcharset0 Courier New;}}\r\n' +
    '{\\colortbl\\red0\\green0\\blue0;\\red0\\green0\\blue255;}\r\n\\uc1\\pard\\plain\\deftab360 \\f0\\fs20 ';
  for (const line of text.split('\r\n')) {
    s += line.replace(/[\\{}]/g, (c) => '\\' + c) + '\\par\r\n';
    if (s.length > bytes) break;
  }
  return new TextEncoder().encode(s + '}\r\n');
}

/**
 * Real RTF bodies: the 70 RTF messages of the corpus OST, exported (decompressed) by pffexport.
 * Empty when the corpus or pffexport is missing.
 */
function realRtfBodies() {
  const shared = process.env.MAILFERRY_SHARED ?? resolve(fileURLToPath(new URL('../..', import.meta.url)), 'shared');
  const ost = join(shared, 'corpus/pst/aspose-net__SampleOstFile.ost');
  if (!existsSync(ost)) return [];
  const dir = mkdtempSync(join(tmpdir(), 'mailferry-bench-rtf-'));
  try {
    const r = spawnSync('pffexport', ['-q', '-f', 'rtf', '-t', join(dir, 'out'), ost], { stdio: 'ignore', timeout: 300_000 });
    if (r.status !== 0) return [];
    const found = [];
    const walk = (d) => {
      for (const e of readdirSync(d).sort()) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (e.endsWith('.rtf')) found.push(new Uint8Array(readFileSync(p)));
      }
    };
    walk(dir);
    return found;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Plain-JS slicing-by-8 PST CRC (the baseline the wasm CRC must beat by 1.3x). */
function makeJsCrc() {
  const T = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    T[i] = c;
  }
  for (let i = 0; i < 256; i++) for (let k = 1; k < 8; k++) T[k * 256 + i] = T[(T[(k - 1) * 256 + i] & 0xff)] ^ (T[(k - 1) * 256 + i] >>> 8);
  return (data, crc = 0) => {
    let i = 0;
    const n = data.length;
    for (; i + 8 <= n; i += 8) {
      const a = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) ^ crc;
      crc =
        T[1792 + (a & 0xff)] ^ T[1536 + ((a >>> 8) & 0xff)] ^ T[1280 + ((a >>> 16) & 0xff)] ^ T[1024 + (a >>> 24)] ^
        T[768 + data[i + 4]] ^ T[512 + data[i + 5]] ^ T[256 + data[i + 6]] ^ T[data[i + 7]];
    }
    for (; i < n; i++) crc = T[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
    return crc >>> 0;
  };
}

/**
 * Throughput in MiB/s of each contender (fn processing `bytes` bytes per call), best of `rounds`
 * interleaved rounds: contenders take turns, so a busy machine slows all of them alike and the
 * ratios stay meaningful.
 */
function race(contenders, bytes, roundMs = 50, rounds = 16) {
  const best = contenders.map(() => 0);
  for (const fn of contenders) for (let i = 0; i < 3; i++) fn(); // warm-up / JIT
  for (let r = 0; r < rounds; r++) {
    contenders.forEach((fn, k) => {
      let calls = 0;
      const t0 = performance.now();
      let t;
      do {
        fn();
        calls++;
        t = performance.now() - t0;
      } while (t < roundMs);
      best[k] = Math.max(best[k], (bytes * calls) / MiB / (t / 1000));
    });
  }
  return best;
}

const fmt = (x) => x.toFixed(0).padStart(6);
const ratio = (a, b) => (a / b).toFixed(2) + 'x';

export async function run(log) {
  const { loadCodecs, codecErrorMessage } = await import('../dist/node/worker/codec/index.js');
  const codecs = await loadCodecs();

  // --- CRC -------------------------------------------------------------------------------------
  const big = mailText(16 * MiB, 1);
  const jsCrc = makeJsCrc();
  const expect = (zlibCrc32(big, 0xffffffff) ^ 0xffffffff) >>> 0;
  if (codecs.crc32(big) !== expect || jsCrc(big) !== expect) throw new Error('CRC implementations disagree');
  for (const size of [8192, 16 * MiB]) {
    const data = big.subarray(0, size);
    const [ours, js, nz] = race(
      [() => codecs.crc32(data), () => jsCrc(data), () => (zlibCrc32(data, 0xffffffff) ^ 0xffffffff) >>> 0],
      size,
    );
    log(`CRC ${size === 8192 ? '8 KiB ' : '16 MiB'}: wasm ${fmt(ours)} MiB/s | plain-JS slicing-by-8 ${fmt(js)} MiB/s | node:zlib crc32 ${fmt(nz)} MiB/s`);
    log(`  ratios: wasm/plain-JS ${ratio(ours, js)} (target >= 1.3x), wasm/node:zlib ${ratio(ours, nz)}`);
  }

  // --- Inflate, 8 KiB blocks -------------------------------------------------------------------
  const BLOCK = 8192;
  const COUNT = 256;
  const blocks = [];
  for (let i = 0; i < COUNT; i++) {
    const raw = mailText(BLOCK, 100 + i);
    blocks.push({ raw, z: deflateSync(raw) });
  }
  const zBytes = blocks.reduce((s, b) => s + b.z.length, 0);
  const out = new Uint8Array(BLOCK);
  for (const b of blocks) {
    const r = codecs.inflate(b.z, out, { exact: true });
    if (r.error !== 0) throw new Error(`inflate failed: ${codecErrorMessage(r.error)}`);
    if (Buffer.compare(out, b.raw) !== 0) throw new Error('inflate produced wrong bytes');
  }
  const total = BLOCK * COUNT;
  const [oursBlocks, fflateBlocks, zlibBlocks] = race(
    [
      () => {
        for (const b of blocks) codecs.inflate(b.z, out, { exact: true });
      },
      () => {
        for (const b of blocks) unzlibSync(b.z, { out });
      },
      () => {
        for (const b of blocks) inflateSync(b.z);
      },
    ],
    total,
  );
  log(`inflate ${COUNT} x 8 KiB zlib blocks (mail text, ratio ${(zBytes / total).toFixed(2)}): wasm ${fmt(oursBlocks)} MiB/s | fflate (preallocated) ${fmt(fflateBlocks)} MiB/s | node:zlib ${fmt(zlibBlocks)} MiB/s`);
  log(`  ratios: wasm/fflate ${ratio(oursBlocks, fflateBlocks)} (target >= 2x), wasm/node:zlib ${ratio(oursBlocks, zlibBlocks)} (target >= 0.5x)`);

  // --- Inflate, one 16 MiB stream --------------------------------------------------------------
  const z16 = deflateSync(big);
  const out16 = new Uint8Array(big.length);
  const r16 = codecs.inflate(z16, out16, { exact: true });
  if (r16.error !== 0 || Buffer.compare(out16, big) !== 0) throw new Error(`16 MiB inflate failed: ${codecErrorMessage(r16.error)}`);
  const [ours16, fflate16, zlib16] = race(
    [() => codecs.inflate(z16, out16, { exact: true }), () => unzlibSync(z16, { out: out16 }), () => inflateSync(z16)],
    big.length,
    200,
    5,
  );
  log(`inflate one 16 MiB zlib stream: wasm ${fmt(ours16)} MiB/s | fflate (preallocated) ${fmt(fflate16)} MiB/s | node:zlib ${fmt(zlib16)} MiB/s`);
  log(`  ratios: wasm/fflate ${ratio(ours16, fflate16)}, wasm/node:zlib ${ratio(ours16, zlib16)}`);

  // --- LZFu ------------------------------------------------------------------------------------
  const generated = [];
  for (let i = 0; i < 200; i++) generated.push(rtfBody(1000 + ((i * 7919) % 30000), 5000 + i));
  const real = realRtfBodies();
  const sets = [['generated RTF bodies', generated]];
  if (real.length > 0) sets.unshift(['real RTF bodies (corpus OST via pffexport)', real]);
  else log('LZFu: corpus OST or pffexport not available; generated RTF only');
  for (const [label, bodies] of sets) {
    const streams = bodies.map((b) => codecs.lzfuCompress(b));
    const rtfBytes = bodies.reduce((s, b) => s + b.length, 0);
    const lzBytes = streams.reduce((s, b) => s + b.length, 0);
    for (let i = 0; i < bodies.length; i++) {
      const r = codecs.lzfuDecompress(streams[i]);
      if (r.error !== 0 || Buffer.compare(r.data, bodies[i]) !== 0) throw new Error(`LZFu round trip failed: ${codecErrorMessage(r.error)}`);
    }
    const [lzDec, lzEnc] = race(
      [
        () => {
          for (const s of streams) codecs.lzfuDecompress(s);
        },
        () => {
          for (const b of bodies) codecs.lzfuCompress(b);
        },
      ],
      rtfBytes,
    );
    log(`LZFu on ${bodies.length} ${label} (${(rtfBytes / MiB).toFixed(2)} MiB, compressed to ${(100 * lzBytes / rtfBytes).toFixed(0)}%): decompress (with CRC check) ${fmt(lzDec)} MiB/s | compress ${fmt(lzEnc)} MiB/s`);
  }
}
