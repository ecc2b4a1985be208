/**
 * MIME/mbox benchmark (issue 6): generates a ~1 GiB mbox in a temp dir (plain mails, multipart/
 * alternative with HTML, related inline images, base64 attachments of 20-300 KiB, RFC 2047/2231
 * names, mboxrd-quoted ">From" lines, message/rfc822 forwards) and runs the BUILT CLI
 * `mailferry mbox2mt` on it with output to /dev/null. Prints messages/s, MiB/s and the child's peak
 * RSS (GNU time), which shows that memory stays bounded by the largest message, not the mbox.
 * MAILFERRY_BENCH_MBOX_MIB overrides the size (default 1024).
 */
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng, runCli } from './lib/measure.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1024 * 1024;

const WORDS = 'the of and to in is meeting project invoice attached please regards thanks report schedule update review budget quarter customer delivery contract proposal agenda Grüße Straße café naïve'.split(' ');
const NAMES = ['Alice Meyer', 'Bob Schulz', 'Carla Rossi', 'Dmitri Ivanov', 'Eva Novák', 'Farid Haddad'];

function paragraph(r, words) {
  let s = '';
  let line = '';
  for (let i = 0; i < words; i++) {
    line += WORDS[Math.floor(r() * WORDS.length)] + ' ';
    if (line.length > 70) {
      s += line.trimEnd() + '\r\n';
      line = '';
    }
  }
  return s + line + '\r\n';
}

function b64lines(bytes) {
  return Buffer.from(bytes).toString('base64').replace(/.{76}/g, '$&\r\n') + '\r\n';
}

/** One message of a kind chosen by the generator. */
function message(r, n, blob) {
  const from = NAMES[n % NAMES.length];
  const to = NAMES[(n * 7 + 3) % NAMES.length];
  const addr = (x) => x.split(' ')[0].toLowerCase() + '@example.com';
  const head =
    `From: "${from}" <${addr(from)}>\r\nTo: ${to} <${addr(to)}>, team@example.org\r\nSubject: =?UTF-8?Q?Re=3A_Bericht_${n}_f=C3=BCr?= ${WORDS[n % WORDS.length]}\r\n` +
    `Date: Mon, ${1 + (n % 28)} Jan 2024 10:${String(n % 60).padStart(2, '0')}:00 +0100\r\nMessage-ID: <${n}.bench@example.com>\r\nMIME-Version: 1.0\r\nX-Mailer: bench\r\n`;
  const kind = n % 10;
  const text = paragraph(r, 40 + Math.floor(r() * 300)) + (n % 13 === 0 ? '>From the archive, quoted by mboxrd\r\n' : '');
  if (kind <= 3) return head + 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' + text;
  if (kind <= 6) {
    return head + 'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' + text +
      '--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<html><body><p>' +
      text.replace(/=/g, '=3D').replace(/\r\n/g, '</p>\r\n<p>') + '</p></body></html>\r\n--alt--\r\n';
  }
  if (kind <= 8) {
    const size = 20 * 1024 + Math.floor(r() * 280 * 1024);
    return head + 'Content-Type: multipart/mixed; boundary="mix"\r\n\r\n--mix\r\nContent-Type: multipart/related; boundary="rel"\r\n\r\n' +
      '--rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>' + text + '<img src="cid:logo@x"></body></html>\r\n' +
      '--rel\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\n' + b64lines(blob.subarray(0, 2048)) +
      '--rel--\r\n--mix\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8\'\'Rechnung%20f%C3%BCr%20' + n + '.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
      b64lines(blob.subarray(0, size)) + '--mix--\r\n';
  }
  return head + 'Content-Type: multipart/mixed; boundary="fw"\r\n\r\n--fw\r\nContent-Type: text/plain\r\n\r\nForwarded.\r\n--fw\r\nContent-Type: message/rfc822\r\n\r\n' +
    `From: ${addr(to)}\r\nSubject: inner ${n}\r\nDate: Sun, 1 Jan 2023 00:00:00 +0000\r\n\r\n` + text + '--fw--\r\n';
}

export async function generate(file, targetBytes) {
  const out = createWriteStream(file);
  const w = (s) => (out.write(s) ? Promise.resolve() : new Promise((res) => out.once('drain', res)));
  const r = rng(6);
  const blob = new Uint8Array(320 * 1024);
  for (let i = 0; i < blob.length; i++) blob[i] = (r() * 256) | 0;
  let bytes = 0;
  let n = 0;
  while (bytes < targetBytes) {
    n++;
    const msg = `From ${n}@bench.example Mon Jan  1 00:00:00 2024\r\n` + message(r, n, blob).replace(/^(>*From )/gm, '>$1') + '\r\n';
    bytes += Buffer.byteLength(msg);
    await w(msg);
  }
  await new Promise((res) => out.end(res));
  return n;
}

export async function run(log = console.log) {
  if (!existsSync(join(root, 'dist/node/cli/commands/mbox2mt.js'))) {
    log('mime: dist/node missing; run `npm run build:node` first');
    return;
  }
  const target = Number(process.env.MAILFERRY_BENCH_MBOX_MIB ?? 1024) * MiB;
  const dir = mkdtempSync(join(tmpdir(), 'mailferry-mime-'));
  try {
    const file = join(dir, 'bench.mbox');
    const t0 = performance.now();
    const msgs = await generate(file, target);
    const size = statSync(file).size;
    log(`generated ${(size / MiB).toFixed(0)} MiB mbox, ${msgs} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const r = await runCli(['mbox2mt', '--loglevel=3', file]);
    if (r.code !== 0) throw new Error(`mbox2mt exited ${r.code}: ${r.stderr.slice(0, 500)}`);
    const mib = size / MiB;
    log(`mbox2mt: ${mib.toFixed(0)} MiB, ${msgs} messages in ${r.secs.toFixed(1)} s: ${Math.round(msgs / r.secs)} messages/s, ` +
      `${(mib / r.secs).toFixed(1)} MiB/s (CPU ${r.cpu.toFixed(1)} s), peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
    return { messages: msgs, seconds: r.secs, cpuSeconds: r.cpu, mibPerSec: mib / r.secs, messagesPerSec: msgs / r.secs, peakRssMiB: r.peakRssMiB };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
