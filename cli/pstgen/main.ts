/**
 * `mailferry-pstgen`: command-line front of the PST/OST writer. Generates a description from a
 * seed (or reads one as JSON with --describe) and streams the file to disk. Same arguments give the
 * same bytes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { generateDescription, type PstCrypt, type PstDescription, type PstVariant } from './description.ts';
import { writePst } from './write.ts';

const HELP = `usage: mailferry-pstgen [options] -o FILE

Write a synthetic Outlook PST/OST file (test fixtures, benchmarks, fuzzing).

  --variant ansi|unicode|ost4k   file format: ANSI PST (wVer 14), Unicode PST (wVer 23),
                                 OST 2013+ with 4 KiB pages and zlib blocks (wVer 36); default unicode
  --crypt none|permute|cyclic    block encoding (bCryptMethod); default permute
  --messages N                   top-level messages spread over the mail folders; default 20
  --attachment-mib M             total attachment payload in MiB (pieces of at most 32 MiB)
  --attachment-kind random|text  generated attachment bytes (text compresses in ost4k); default random
  --seed S                       seed for names, dates and attachment bytes; default 1
  --describe FILE.json           write the description in FILE.json instead of generating one
  --dump-description FILE.json   also save the (generated) description as JSON
  --compression-level L          zlib level for ost4k blocks (1-9); default 6
  -o, --output FILE              output file (required)
  -q, --quiet                    no summary line
  -h, --help                     this help
`;

function fail(msg: string): number {
  process.stderr.write(`mailferry-pstgen: ${msg}\n`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  const opts: Record<string, string> = {};
  const flags = new Set<string>();
  const valued = new Set(['variant', 'crypt', 'messages', 'attachment-mib', 'attachment-kind', 'seed', 'describe', 'dump-description', 'compression-level', 'output']);
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    if (a === '-h' || a === '--help') {
      process.stdout.write(HELP);
      return 0;
    }
    if (a === '-q' || a === '--quiet') {
      flags.add('quiet');
      continue;
    }
    if (a === '-o') a = '--output';
    if (!a.startsWith('--')) return fail(`unexpected argument ${a} (see --help)`);
    let name = a.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (!valued.has(name)) return fail(`unknown option --${name} (see --help)`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) return fail(`--${name} needs a value`);
    }
    opts[name] = value;
  }
  const out = opts['output'];
  if (!out) return fail('-o FILE is required (see --help)');
  let desc: PstDescription;
  if (opts['describe']) {
    try {
      desc = JSON.parse(readFileSync(opts['describe'], 'utf8')) as PstDescription;
    } catch (e) {
      return fail(`cannot read description: ${(e as Error).message}`);
    }
    if (opts['variant']) desc.variant = opts['variant'] as PstVariant;
    if (opts['crypt']) desc.crypt = opts['crypt'] as PstCrypt;
  } else {
    const num = (k: string, d: number) => {
      const v = opts[k];
      if (v === undefined) return d;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${k} must be a non-negative number`);
      return n;
    };
    try {
      desc = generateDescription({
        variant: (opts['variant'] ?? 'unicode') as PstVariant,
        crypt: (opts['crypt'] ?? 'permute') as PstCrypt,
        messages: Math.floor(num('messages', 20)),
        attachmentMiB: num('attachment-mib', 0),
        seed: Math.floor(num('seed', 1)),
        attachmentKind: opts['attachment-kind'] === 'text' ? 'text' : 'random',
        // Made while writing, unless the description is to be saved as JSON.
        lazy: !opts['dump-description'],
      });
    } catch (e) {
      return fail((e as Error).message);
    }
  }
  if (!['ansi', 'unicode', 'ost4k'].includes(desc.variant)) return fail(`--variant must be ansi, unicode or ost4k`);
  if (!['none', 'permute', 'cyclic'].includes(desc.crypt)) return fail(`--crypt must be none, permute or cyclic`);
  if (opts['dump-description']) writeFileSync(opts['dump-description'], JSON.stringify(desc, null, 2));
  const t0 = performance.now();
  try {
    const level = opts['compression-level'] ? Number(opts['compression-level']) : undefined;
    const r = await writePst(desc, out, level === undefined ? {} : { compressionLevel: level });
    const s = (performance.now() - t0) / 1000;
    if (!flags.has('quiet'))
      process.stderr.write(
        `${out}: ${desc.variant}/${desc.crypt}, ${r.size} bytes, ${r.nodes} nodes, ${r.blocks} blocks` +
          (desc.variant === 'ost4k' ? `, ${r.compressedBlocks} compressed` : '') +
          `, ${s.toFixed(2)} s (${(r.size / 1048576 / Math.max(s, 1e-6)).toFixed(0)} MiB/s)\n`,
      );
  } catch (e) {
    return fail((e as Error).message);
  }
  return 0;
}
