/**
 * `mailferry ical2mt [options] FILE... > out.mt` — gromox-ical2mt's job with item-level failure
 * handling: every input file's calendar items become unanchored message frames in one stream.
 */
import type { Command } from '../main.ts';
import { openFileSource, parseArgs, stdoutSink, fileSink } from '../io.ts';
import { icalItems, resolveTzOption, type IcalOptions } from '../../worker/convert/ical.ts';
import { writeUnanchoredItems, type UnanchoredItem } from '../../worker/convert/items-to-mt.ts';
import type { Finding } from '../../worker/findings.ts';
import type { MessageContent } from '../../worker/mapi/types.ts';
import { propJson } from '../../worker/gxmt/json.ts';

/** -t / -p: a short tree of each converted message on stderr (gromox's -t shows the same shape). */
function tree(nid: number, m: MessageContent, props: boolean, indent = ''): string {
  const lines: string[] = [];
  const cls = m.props.find((p) => p.tag === 0x001a001f)?.value;
  const subj = m.props.find((p) => p.tag === 0x0037001f)?.value;
  lines.push(`${indent}${nid ? `message ${nid}: ` : 'embedded: '}${String(cls ?? '?')}${subj !== undefined ? ` "${String(subj)}"` : ''} (${m.props.length} props, ${m.recipients.length} rcpts, ${m.attachments.length} atts)`);
  if (props) for (const p of m.props) lines.push(`${indent}  ${JSON.stringify(propJson(p))}`);
  m.recipients.forEach((r, i) => {
    lines.push(`${indent}  rcpt ${i}: ${r.length} props`);
    if (props) for (const p of r) lines.push(`${indent}    ${JSON.stringify(propJson(p))}`);
  });
  m.attachments.forEach((a, i) => {
    lines.push(`${indent}  att ${i}: ${a.props.length} props`);
    if (props) for (const p of a.props) lines.push(`${indent}    ${JSON.stringify(propJson(p))}`);
    if (a.embedded) lines.push(tree(0, a.embedded, props, indent + '    ').trimEnd());
  });
  return lines.join('\n') + '\n';
}

const HELP = `Usage: mailferry ical2mt [options] FILE... > out.mt

Convert iCalendar files to one GXMT stream (unanchored messages, for gromox-mt2exm -B CALENDAR).
  --tz=ZONE        zone for floating times (IANA or Windows name; default UTC like gromox)
  --codepage=N     code page for text that is not UTF-8 (default 1252)
  --strict         gromox parity: a file with a failing item is dropped entirely
  -o FILE          write to FILE instead of stdout
  --loglevel=N     1 crit … 6 debug (default 4: errors and warnings)
  -t               print a tree of each message to stderr; -p adds the properties
  --force          write to a terminal anyway`;

const LEVEL: Record<Finding['severity'], number> = { error: 3, warning: 4, info: 6 };

export const command: Command = {
  summary: 'convert iCalendar (.ics) files to a GXMT stream',
  async run(args) {
    const { opts, rest, unknown } = parseArgs(args, {
      flags: ['--strict', '-t', '-p', '--force', '--help', '-h', '--oneoff'],
      values: ['--tz', '--codepage', '-o', '--loglevel', '--decap'],
    });
    if (opts['--help'] || opts['-h']) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    if (unknown.length || !rest.length) {
      process.stderr.write((unknown.length ? `ical2mt: ${unknown.join(', ')}\n` : '') + HELP + '\n');
      return 2;
    }
    const loglevel = opts['--loglevel'] !== undefined ? Number(opts['--loglevel']) : 4;
    const options: IcalOptions = { strict: !!opts['--strict'] };
    if (typeof opts['--tz'] === 'string') {
      options.tz = opts['--tz'];
      try {
        resolveTzOption(options.tz);
      } catch (e) {
        process.stderr.write(`ical2mt: ${(e as Error).message}\n`);
        return 2;
      }
    }
    if (typeof opts['--codepage'] === 'string') {
      const cp = Number(opts['--codepage']);
      if (!Number.isInteger(cp) || cp <= 0) {
        process.stderr.write(`ical2mt: --codepage needs a number\n`);
        return 2;
      }
      options.codepage = cp;
    }
    let sink;
    try {
      sink = typeof opts['-o'] === 'string' ? fileSink(opts['-o']) : stdoutSink(!!opts['--force']);
    } catch (e) {
      process.stderr.write(`ical2mt: ${(e as Error).message}\n`);
      return 2;
    }
    const counts = { error: 0, warning: 0, info: 0 };
    const onFinding = (f: Finding) => {
      counts[f.severity]++;
      if (LEVEL[f.severity] <= loglevel)
        process.stderr.write(`${f.severity}: ${f.code}: ${f.item ? f.item + ': ' : ''}${f.message}${f.offset !== undefined ? ` (byte ${f.offset})` : ''}\n`);
    };
    if (opts['--decap'] !== undefined) process.stderr.write('ical2mt: --decap applies to mail only; ignored\n');
    const showTree = opts['-t'] === true;
    const showProps = opts['-p'] === true;
    let openFailed = 0;
    let nid = 0;
    async function* all(): AsyncGenerator<UnanchoredItem> {
      for (const path of rest) {
        let src;
        try {
          src = await openFileSource(path);
        } catch (e) {
          openFailed++;
          process.stderr.write(`ical2mt: ${path}: ${(e as Error).message}\n`);
          continue;
        }
        try {
          for await (const it of icalItems(src, options, onFinding)) {
            nid++;
            if (showTree) process.stderr.write(tree(nid, it.content, showProps));
            yield it;
          }
        } finally {
          await src.close();
        }
      }
    }
    const res = await writeUnanchoredItems(sink, all(), { onFinding });
    if (loglevel >= 4)
      process.stderr.write(`ical2mt: ${res.written} message(s) written, ${res.skipped} skipped; ${counts.error} error(s), ${counts.warning} warning(s)\n`);
    return openFailed ? 1 : 0;
  },
};
