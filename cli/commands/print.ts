/**
 * `mailferry print`: decode a GXMT stream with the strict reader and print it, as a tree in the
 * manner of `gromox-import -t [-p]` or as JSON lines (one object per frame, the header first).
 * Decoding is streaming, so a stream of any size prints in bounded memory.
 */
import type { Command } from '../main.ts';
import { openFileSource, parseArgs } from '../io.ts';
import { readGxmt, GxmtError, frameJson, headerJson, frameText, headerText, type GxmtReader } from '../../worker/gxmt/index.ts';

const HELP = `Usage: mailferry print [options] [FILE|-]

Decode a GXMT (gromox MT) stream strictly, as gromox-import's read-only mode does, and print it.
Reads standard input when FILE is '-' or absent.

Options:
  --json        one JSON object per line: the header ({"kind":"header",...}), then every frame
                ({"kind":"folder"|"message"|"namedprop", "nid", "parentType", "parent", ...}).
                Ids are hex strings ("0x122"); properties are {"tag":"0x0037001f","value":…}
                with "name":{"guid","lid"|"name"} for named ones; binary values are lower-case
                hex, 64-bit integers (PT_I8, PT_CURRENCY, PT_SYSTIME) decimal strings.
  -p            with the tree output, print every property (like gromox-import -t -p)
  --lenient     report unknown parent folders and undefined named properties as warnings
                (gromox-import only warns about them) instead of failing
  -h, --help    this text

Exit status: 0 the stream is valid, 1 it is not (the error names a code and the byte offset),
2 usage error.
`;

let epipeHandled = false;

export const command: Command = {
  summary: 'decode a GXMT stream strictly and print its tree (or JSON lines)',
  async run(args) {
    const { opts, rest, unknown } = parseArgs(args, { flags: ['--json', '-p', '-pp', '--lenient', '-h', '--help', '-t'] });
    if (opts['-h'] || opts['--help']) {
      process.stdout.write(HELP);
      return 0;
    }
    if (unknown.length || rest.length > 1) {
      process.stderr.write(`mailferry print: ${unknown.length ? `unknown option ${unknown[0]}` : 'only one FILE'}\n\n${HELP}`);
      return 2;
    }
    const file = rest[0] ?? '-';
    const json = opts['--json'] === true;
    const props = opts['-p'] === true || opts['-pp'] === true;
    const lenient = opts['--lenient'] === true;
    if (!epipeHandled) {
      epipeHandled = true;
      process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(0); // the reader of our output went away (| head)
      });
    }
    const out = lineWriter();
    let closeSource: (() => Promise<void>) | undefined;
    let warnings = 0;
    try {
      let reader: GxmtReader;
      const readOpts = {
        strictParents: !lenient,
        strictNamedProps: !lenient,
        onFinding: (f: { code: string; message: string; offset?: number }) => {
          warnings++;
          process.stderr.write(`mailferry print: warning ${f.code} at offset ${f.offset ?? '?'}: ${f.message}\n`);
        },
      };
      if (file === '-') {
        reader = await readGxmt(process.stdin as AsyncIterable<Uint8Array>, readOpts);
      } else {
        const src = await openFileSource(file);
        closeSource = () => src.close();
        reader = await readGxmt(src, readOpts);
      }
      if (reader.header) {
        if (json) await out.line(JSON.stringify(headerJson(reader.header)));
        else for (const l of headerText(reader.header, props)) await out.line(l);
      }
      let n = 0;
      for await (const f of reader.frames()) {
        n++;
        if (json) await out.line(JSON.stringify(frameJson(f)));
        else for (const l of frameText(f, props)) await out.line(l);
      }
      await out.flush();
      if (!json) process.stderr.write(`mailferry print: ${n} frame(s), stream valid${warnings ? ` with ${warnings} warning(s)` : ''}\n`);
      return 0;
    } catch (e) {
      await out.flush().catch(() => {});
      if (e instanceof GxmtError) {
        process.stderr.write(`mailferry print: invalid stream: ${e.message}\n`);
        return 1;
      }
      const err = e as NodeJS.ErrnoException;
      process.stderr.write(`mailferry print: ${err.code === 'ENOENT' ? `cannot open ${file}` : err.message}\n`);
      return 1;
    } finally {
      await closeSource?.();
    }
  },
};

/** Buffered line output to stdout that waits for 'drain' (bounded memory on huge streams). */
function lineWriter() {
  let buf: string[] = [];
  let size = 0;
  const flush = async () => {
    if (!buf.length) return;
    const s = buf.join('');
    buf = [];
    size = 0;
    if (!process.stdout.write(s)) await new Promise<void>((r) => process.stdout.once('drain', () => r()));
  };
  return {
    async line(l: string) {
      buf.push(l, '\n');
      size += l.length + 1;
      if (size > 1 << 16) await flush();
    },
    flush,
  };
}
