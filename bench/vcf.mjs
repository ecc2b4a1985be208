/**
 * vcf2mt throughput: a generated ~100 MiB VCF (vCard 3.0 contacts, vCard 2.1 QUOTED-PRINTABLE
 * cards, 4.0 cards with a base64 JPEG photo every 20th card, a 4.0 group every 200th card whose
 * ten members refer to earlier cards by UID) converted by the built CLI to /dev/null; items/s, MiB/s
 * and the child's peak RSS (GNU time). Runs built code only (dist/node), never tests.
 * MAILFERRY_BENCH_VCF_MIB overrides the size.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './lib/measure.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = Number(process.env.MAILFERRY_BENCH_VCF_MIB ?? 100) * 1024 * 1024;

const GIVEN = ['Anna', 'Bernd', 'Chloé', 'Dmitri', 'Eva', 'Farid', 'Gül', 'Hiro', 'Ines', 'Jörg'];
const FAMILY = ['Meyer', 'Schulz', 'Rossi', 'Ivanov', 'Novák', 'Haddad', 'Yılmaz', 'Tanaka', 'García', 'Müller'];

/** A fake 4 KiB JPEG (SOI marker, filler, EOI) as folded base64. */
function photoLines() {
  const b = Buffer.alloc(4096);
  for (let i = 0; i < b.length; i++) b[i] = (i * 131 + 7) & 0xff;
  b[0] = 0xff; b[1] = 0xd8; b[2] = 0xff; b[3] = 0xe0; b[b.length - 2] = 0xff; b[b.length - 1] = 0xd9;
  const s = b.toString('base64');
  const out = [];
  for (let i = 0; i < s.length; i += 74) out.push((i === 0 ? 'PHOTO:data:image/jpeg;base64,' : ' ') + s.slice(i, i + 74));
  return out.join('\r\n');
}

const qp = (s) => [...Buffer.from(s, 'utf8')].map((c) => (c >= 0x80 || c === 0x3d ? '=' + c.toString(16).toUpperCase().padStart(2, '0') : String.fromCharCode(c))).join('');

async function generate(path) {
  const out = createWriteStream(path);
  const w = (s) => (out.write(s) ? undefined : new Promise((r) => out.once('drain', r)));
  const photo = photoLines();
  let bytes = 0;
  let n = 0;
  while (bytes < TARGET) {
    n++;
    const g = GIVEN[n % 10], f = FAMILY[(n * 7) % 10];
    const uid = `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    let card;
    if (n % 200 === 0) {
      const members = [];
      for (let m = n - 1; members.length < 10; m--) if (m % 3 !== 0) members.push(`MEMBER:urn:uuid:00000000-0000-4000-8000-${String(m).padStart(12, '0')}`);
      members.push(`MEMBER:mailto:list${n}@example.org`);
      card = `BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:Group ${n}\r\n${members.join('\r\n')}\r\nUID:urn:uuid:group-${n}\r\nEND:VCARD\r\n`;
    } else if (n % 20 === 0) {
      card = `BEGIN:VCARD\r\nVERSION:4.0\r\nFN:${g} ${f} ${n}\r\nN:${f};${g};;;\r\nEMAIL;TYPE=work:${g.toLowerCase()}.${n}@example.com\r\nTEL;TYPE="work,voice":+49 30 ${n}\r\nUID:${uid}\r\n${photo}\r\nEND:VCARD\r\n`;
    } else if (n % 3 === 0) {
      card = `BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:${qp(f)};${qp(g)};;;\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:${qp(`${g} ${f} ${n}`)}\r\n` +
        `TEL;HOME;VOICE:+49 40 ${n}\r\nTEL;CELL:+49 170 ${n}\r\nEMAIL;PREF;INTERNET:${g.toLowerCase()}.${n}@example.net\r\n` +
        `NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:${qp(`Notiz für ${g} – Zeile 1`)}=0D=0A=\r\n${qp('Zeile 2 mit Ümlauten')}\r\nX-GENERATOR:bench\r\nEND:VCARD\r\n`;
    } else {
      card = `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${g} ${f} ${n}\r\nN:${f};${g};;;\r\nORG:Example ${n % 97} GmbH;Sales\r\nTITLE:Manager\r\n` +
        `EMAIL;TYPE=INTERNET;TYPE=WORK:${g.toLowerCase()}.${n}@example.com\r\nEMAIL;TYPE=INTERNET;TYPE=HOME:${f.toLowerCase()}${n}@example.org\r\n` +
        `TEL;TYPE=WORK:+49 30 ${n}\r\nTEL;TYPE=CELL:+49 171 ${n}\r\nADR;TYPE=WORK:;;Hauptstr. ${n % 300};Berlin;;10115;Germany\r\n` +
        `BDAY:19${String(50 + (n % 50))}-0${1 + (n % 9)}-1${n % 9}\r\nCATEGORIES:Customers,Berlin\r\nNOTE:Met at fair ${n}\\, follow up\\nsecond line\r\nUID:${uid}\r\nEND:VCARD\r\n`;
    }
    bytes += Buffer.byteLength(card);
    await w(card);
  }
  await new Promise((r) => out.end(r));
  return n;
}

export async function run(log = console.log) {
  if (!existsSync(join(root, 'dist/node/cli/commands/vcf2mt.js'))) {
    log('vcf: dist/node missing; run `npm run build:node` first');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mailferry-vcf-'));
  try {
    const file = join(dir, 'bench.vcf');
    const cards = await generate(file);
    const size = statSync(file).size;
    const r = await runCli(['vcf2mt', '--loglevel=3', file]);
    if (r.code !== 0) throw new Error(`vcf2mt exited ${r.code}: ${r.stderr.slice(0, 500)}`);
    const mib = size / 1048576;
    log(`vcf2mt: ${mib.toFixed(1)} MiB, ${cards} cards (3.0, 2.1 QP, 4.0 with photo, groups) in ${r.secs.toFixed(2)} s: ` +
      `${Math.round(cards / r.secs)} items/s, ${(mib / r.secs).toFixed(1)} MiB/s (CPU ${r.cpu.toFixed(2)} s: ${(mib / r.cpu).toFixed(1)} MiB/s), ` +
      `peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
    return { items: cards, seconds: r.secs, cpuSeconds: r.cpu, mibPerSec: mib / r.secs, peakRssMiB: r.peakRssMiB };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
