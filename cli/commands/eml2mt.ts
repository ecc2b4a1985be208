/**
 * `mailferry eml2mt` (and the shared runner behind mbox2mt and tnef2mt): mail files → one GXMT
 * stream on stdout, as `gromox-eml2mt --oneoff` writes it in its --mail/--mbox/--tnef modes:
 * unanchored messages numbered 1, 2, … across all input files, named properties from 0x8000 in
 * first-use order, the original message in each frame's RFC 5322 field. Items are converted and
 * written one at a time. Item-level by default; --strict stops at the first failure like gromox.
 */
import type { Command } from '../main.ts';
import { findingReporter, openFileSource, parseArgs, stdoutSink } from '../io.ts';
import { bytesSource, type ByteSource } from '../../worker/io/byte-source.ts';
import type { FindingSink } from '../../worker/findings.ts';
import type { MessageContent } from '../../worker/mapi/types.ts';
import { emlItems, MailStrictError, mailItemClass, type MailItem } from '../../worker/convert/eml.ts';
import { mboxItems } from '../../worker/convert/mbox.ts';
import { tnefItems } from '../../worker/convert/tnef.ts';
import { writeUnanchoredItems } from '../../worker/convert/items-to-mt.ts';
import { propJson } from '../../worker/gxmt/json.ts';

export type MailKind = 'eml' | 'mbox' | 'tnef';

const what: Record<MailKind, string> = {
  eml: 'RFC 5322 mail files (.eml), one message per file',
  mbox: 'mbox files (mboxo/mboxrd), one message per entry',
  tnef: 'TNEF files (winmail.dat, .tnef), one message per file',
};

function help(kind: MailKind): string {
  return `Usage: mailferry ${kind}2mt [options] FILE... > out.mt

Convert ${what[kind]} (FILE "-" is standard input) to a GXMT stream for gromox-mt2exm / gromox-import (unanchored messages;
import with -B FOLDER). Addresses are always one-off entry IDs (gromox's --oneoff).

Options:
  --strict        gromox parity: the first item that cannot be converted stops the run (exit 1)
  --codepage=N    Windows code page for undeclared 8-bit text that is not UTF-8 (default 1252)
${kind === 'mbox' ? '  --split=MODE    auto (default: From_ after a blank line, >From unquoted) or gromox\n' : ''}${kind !== 'tnef' ? '  --decap=N       replace each message by the embedded message of its attachment N (1-based)\n' : ''}  -t              print a tree of each converted message to stderr
  -p              with -t, print the properties too
  --loglevel=N    findings on stderr: 1-3 errors only, 4 (default) also warnings, 5+ also info
  --oneoff        accepted for compatibility (always on)
  -h, --help      this text

Exit status: 0 all files read (findings may have been reported), 1 a file could not be read or
--strict stopped the run, 2 usage error.
`;
}

function tree(nid: bigint, item: string, c: MessageContent, props: boolean, indent = ''): string {
  const lines = [`${indent}message ${nid} (${item}): ${mailItemClass(c)}, ${c.props.length} props, ${c.recipients.length} recipients, ${c.attachments.length} attachments`];
  const show = (p: ReturnType<typeof propJson>) => {
    const s = JSON.stringify(p);
    return s.length > 200 ? s.slice(0, 197) + '...' : s;
  };
  if (props) for (const p of c.props) lines.push(indent + '  ' + show(propJson(p)));
  c.attachments.forEach((a, i) => {
    lines.push(`${indent}  attachment ${i}: ${a.props.length} props${a.embedded ? ', embedded message' : ''}`);
    if (props) for (const p of a.props) lines.push(indent + '    ' + show(propJson(p)));
    if (a.embedded) lines.push(tree(nid, `${item} att ${i}`, a.embedded, props, indent + '    ').trimEnd());
  });
  return lines.join('\n') + '\n';
}

/** `-` reads standard input (as gromox-eml2mt does); it has no size up front, so it is buffered. */
async function stdinSource(name: string): Promise<ByteSource & { close(): Promise<void> }> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return { ...bytesSource(new Uint8Array(Buffer.concat(chunks)), name), close: async () => {} };
}

/** The shared command body for eml2mt, mbox2mt and tnef2mt. */
export async function runMailCommand(kind: MailKind, args: string[]): Promise<number> {
  const name = `${kind}2mt`;
  const { opts, rest, unknown } = parseArgs(args, {
    flags: ['--strict', '-t', '-p', '-pp', '--oneoff', '-h', '--help'],
    values: ['--codepage', '--loglevel', '--decap', '--split'],
  });
  if (opts['-h'] || opts['--help']) {
    process.stdout.write(help(kind));
    return 0;
  }
  if (unknown.length || rest.length === 0) {
    process.stderr.write(`mailferry ${name}: ${unknown.length ? `unknown option ${unknown[0]}` : 'no input FILE'}\n\n${help(kind)}`);
    return 2;
  }
  const codepage = opts['--codepage'] !== undefined ? Number(opts['--codepage']) : undefined;
  if (codepage !== undefined && !(Number.isInteger(codepage) && codepage > 0)) {
    process.stderr.write(`mailferry ${name}: --codepage needs a Windows code page number, e.g. 1252\n`);
    return 2;
  }
  const decap = opts['--decap'] !== undefined ? Number(opts['--decap']) : undefined;
  if (decap !== undefined && !(Number.isInteger(decap) && decap > 0)) {
    process.stderr.write(`mailferry ${name}: --decap needs an attachment number starting at 1\n`);
    return 2;
  }
  if (decap !== undefined && kind === 'tnef') process.stderr.write(`mailferry ${name}: --decap has no effect on TNEF input\n`);
  const split = opts['--split'];
  if (split !== undefined && split !== 'auto' && split !== 'gromox') {
    process.stderr.write(`mailferry ${name}: --split is auto or gromox\n`);
    return 2;
  }
  const loglevel = opts['--loglevel'] !== undefined ? Number(opts['--loglevel']) : 4;
  const strict = opts['--strict'] === true;
  const showTree = opts['-t'] === true;
  const showProps = opts['-p'] === true || opts['-pp'] === true;

  let sink;
  try {
    sink = stdoutSink();
  } catch (e) {
    process.stderr.write(`mailferry ${name}: ${(e as Error).message}\n`);
    return 2;
  }
  const { log, report } = findingReporter(loglevel);
  let status = 0;
  let nid = 0n;
  const convert = (src: ByteSource, onFinding: FindingSink): AsyncIterable<MailItem> => {
    if (kind === 'mbox') return mboxItems(src, { codepage, strict, decap, split: split as 'auto' | 'gromox' | undefined }, onFinding);
    if (kind === 'tnef') return tnefItems(src, { codepage, strict }, onFinding);
    return emlItems(src, { codepage, strict, decap }, onFinding);
  };
  async function* items(): AsyncGenerator<MailItem> {
    for (const path of rest) {
      let src;
      try {
        src = path === '-' ? await stdinSource(`stdin.${kind}`) : await openFileSource(path);
      } catch (e) {
        process.stderr.write(`mailferry ${name}: ${path}: ${(e as Error).message}\n`);
        status = 1;
        if (strict) return;
        continue;
      }
      try {
        for await (const it of convert(src, report)) {
          nid++;
          if (showTree) process.stderr.write(tree(nid, it.item, it.content, showProps));
          yield it;
        }
      } catch (e) {
        status = 1;
        if (e instanceof MailStrictError) {
          process.stderr.write(`mailferry ${name}: ${e.message}\n`);
          return;
        }
        process.stderr.write(`mailferry ${name}: ${path}: ${(e as Error).message}\n`);
        if (strict) return;
      } finally {
        await src.close();
      }
    }
  }
  const result = await writeUnanchoredItems(sink, items(), { onFinding: report, closeSink: true }).catch((e: Error) => {
    process.stderr.write(`mailferry ${name}: ${e.message}\n`);
    status = 1;
    return undefined;
  });
  if (loglevel >= 4) {
    process.stderr.write(
      `${name}: ${result?.written ?? 0} messages written, ${result?.skipped ?? 0} skipped; findings: ${log.counts.error} errors, ${log.counts.warning} warnings, ${log.counts.info} info\n`,
    );
  }
  return status;
}

export const command: Command = {
  summary: 'convert RFC 5322 mail files (.eml) to a GXMT stream',
  run: (args) => runMailCommand('eml', args),
};
