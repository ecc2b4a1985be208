/**
 * `mailferry pff2mt`: PST/OST → GXMT on stdout (or -o FILE), a drop-in for gromox-pff2mt
 * (`mailferry pff2mt box.pst | gromox-mt2exm -u user@example.com`). Options and stderr lines
 * follow pff2mt (shared/reference/gxmt-format.md §4.1, §4.7); the conversion itself is
 * worker/convert/pff2mt.ts, shared with the page.
 */
import { stat } from 'node:fs/promises';
import type { Command } from '../main.ts';
import { fileSink, openFileSource, parseArgs, stdoutSink } from '../io.ts';
import type { ByteSink } from '../../worker/io/sink.ts';
import { pstToMt, PFF2MT_DIFFERENCES, type Pff2mtOptions, type TreeObject } from '../../worker/convert/pff2mt.ts';
import { openPst, PstOpenError } from '../../worker/pst/index.ts';
import type { Finding } from '../../worker/findings.ts';
import { propJson } from '../../worker/gxmt/json.ts';
import { createThreadPool } from '../pff2mt-pool.ts';
import { noteBytes } from '../memory.ts';
import { POOL_MIN_BYTES, type MessagePool } from '../../worker/convert/pff2mt-batch.ts';
import type { Prop } from '../../worker/mapi/types.ts';

const HELP = `Usage: mailferry pff2mt [options] FILE > out.mt
       mailferry pff2mt [options] FILE | gromox-mt2exm -u user@example.com

Convert a PST/OST file to a GXMT stream (the input of gromox-mt2exm / gromox-import), like
gromox-pff2mt. The stream goes to standard output (never to a terminal) or to -o FILE.

Options as in gromox-pff2mt:
  -s                  splice: map the store's special folders (root, IPM subtree, outbox, deleted
                      items, sent items, search root, and the inbox from the receive-folder table)
                      onto the mailbox's own folders instead of creating "Import of …"
  --with-hidden       include folders with PR_ATTR_HIDDEN (default unless -s)
  --without-hidden    leave hidden folders out, with their subfolders (default with -s)
  --with-assoc        include folder-associated (FAI) messages
  --without-assoc     leave FAI messages out (default)
  --only-obj NID      convert only this folder (with its subtree) or message, unanchored
                      (placed by gromox-import -B); repeatable; decimal or 0x hex
  -t                  print a tree of the objects on stderr (the stream is still written)
  -p                  with -t, print properties too
  --loglevel N        accepted for compatibility; ignored

Mailferry's own:
  --root-target ipm-subtree|unanchored
                      where the new "Import of …" folder goes (without -s). Default ipm-subtree
                      (GCV 9): understood by every gromox-import from 3.3 on. 'unanchored' is what
                      gromox-pff2mt 3.10 writes: the folder lands in gromox-import's -B folder
                      (Drafts by default); gromox-import 3.3-3.9 fail on it, and it is required for
                      public stores.
  --import-name NAME  name of the created root folder (default "Import of FILE @MTIME", the
                      file's modification time in UTC, so repeated runs give identical streams;
                      gromox-pff2mt uses the time of the run)
  --mt-version 3|4|5  GXMT version (default 5, gromox 3.3+; 4 for gromox 3.0-3.2, 3 for 2.10-2.48)
  --codepage CP       code page for 8-bit strings of objects that name none (default: the file's,
                      else 1252); --force-codepage uses CP for every 8-bit string
  --continue          go on after items that cannot be read (default)
  --no-continue       stop at the first item that cannot be read (exit 1)
  --jobs N            threads that read and encode messages (default 1). The stream is
                      byte-identical whatever N. Each thread costs about 100 MiB and some CPU of
                      its own; on 2 cores two threads were at most 1.2x faster than one. Files
                      under 16 MiB and -t always use one thread.
  -o FILE             write the stream to FILE instead of standard output
  -q                  do not print findings (damage, skipped properties) on stderr
  --differences       list how the output differs from gromox-pff2mt 3.10, and exit
  -h, --help          this text

Exit status: 0 converted (findings may have been reported), 1 the file could not be converted
or --no-continue stopped, 2 usage error.
`;

function parseNid(s: string): number | null {
  const v = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s.slice(2), 16) : /^[0-9]+$/.test(s) ? parseInt(s, 10) : NaN;
  return Number.isSafeInteger(v) && v > 0 && v <= 0xffffffff ? v : null;
}

export const command: Command = {
  summary: 'convert a PST/OST file to a GXMT stream for gromox-mt2exm',
  async run(args) {
    const { opts, rest, unknown } = parseArgs(args, {
      flags: ['-s', '-t', '-p', '-pp', '--with-hidden', '--without-hidden', '--with-assoc', '--without-assoc', '--continue', '--no-continue', '-q', '-h', '--help', '--differences', '--force-codepage'],
      values: ['--root-target', '--import-name', '--mt-version', '--codepage', '-o', '--loglevel', '--jobs'],
      multi: ['--only-obj'],
    });
    const err = (s: string) => process.stderr.write(s);
    if (opts['-h'] || opts['--help']) {
      process.stdout.write(HELP);
      return 0;
    }
    if (opts['--differences']) {
      process.stdout.write(PFF2MT_DIFFERENCES.map((d) => `- ${d}\n`).join(''));
      return 0;
    }
    const usage = (m: string) => {
      err(`mailferry pff2mt: ${m}\n\n${HELP}`);
      return 2;
    };
    if (unknown.length) return usage(unknown[0]!.includes('needs') ? unknown[0]! : `unknown option ${unknown[0]}`);
    if (rest.length !== 1) return usage('exactly one FILE is needed');
    const file = rest[0]!;
    const o: Pff2mtOptions = { splice: opts['-s'] === true };
    if (opts['--with-hidden']) o.withHidden = true;
    if (opts['--without-hidden']) o.withHidden = false;
    if (opts['--with-assoc']) o.withAssoc = true;
    if (opts['--without-assoc']) o.withAssoc = false;
    if (opts['--no-continue']) o.continueOnError = false;
    const rt = opts['--root-target'];
    if (rt !== undefined) {
      if (rt !== 'ipm-subtree' && rt !== 'unanchored') return usage('--root-target is ipm-subtree or unanchored');
      o.rootTarget = rt;
    }
    const ver = opts['--mt-version'];
    if (ver !== undefined) {
      if (ver !== '3' && ver !== '4' && ver !== '5') return usage('--mt-version is 3, 4 or 5');
      o.version = Number(ver) as 3 | 4 | 5;
    }
    const cp = opts['--codepage'];
    if (cp !== undefined) {
      const n = Number(String(cp).replace(/^cp/i, ''));
      if (!Number.isInteger(n) || n <= 0 || n > 65535) return usage('--codepage needs a Windows code page number, e.g. 1252');
      o.codepage = n;
      if (opts['--force-codepage']) o.forceCodepage = true;
    }
    if (typeof opts['--import-name'] === 'string') o.importName = opts['--import-name'];
    const only = (opts['--only-obj'] as string[] | undefined) ?? [];
    if (only.length) {
      const nids = only.map(parseNid);
      if (nids.some((n) => n === null)) return usage('--only-obj needs a NID (decimal or 0x hex)');
      o.onlyObj = nids as number[];
    }
    const tree = opts['-t'] === true;
    let jobs = 1;
    if (opts['--jobs'] !== undefined) {
      jobs = Number(opts['--jobs']);
      if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) return usage('--jobs needs a number from 1 to 64');
    }
    const showProps = opts['-p'] === true || opts['-pp'] === true;
    const quiet = opts['-q'] === true;

    let sink: ByteSink;
    if (typeof opts['-o'] === 'string') {
      sink = fileSink(opts['-o']);
    } else if (process.stdout.isTTY) {
      err(`pff: Refusing to output the binary Mailbox Transfer Data Stream to a terminal.\nYou probably wanted to redirect output into a file or pipe.\n`);
      return 1;
    } else {
      sink = stdoutSink(true);
    }

    let src;
    try {
      src = await openFileSource(file);
      o.fileName = src.name;
      o.importTime = (await stat(file)).mtime;
    } catch (e) {
      err(`pff: Could not open "${file}": ${(e as Error).message}\n`);
      return 1;
    }
    let errors = 0;
    let warnings = 0;
    o.onFinding = (f: Finding) => {
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
      if (!quiet) err(`pff: ${f.severity} ${f.code}${f.nid !== undefined ? ` (nid 0x${f.nid.toString(16)})` : ''}${f.item ? ` [${f.item}]` : ''}: ${f.message}\n`);
    };
    o.onProgress = (e) => {
      if (e.kind === 'message') noteBytes(e.bytes);
      if (e.kind !== 'folder' || tree) return;
      if (e.skipped) err(`pff: Skipping "${e.name}" (PR_ATTR_HIDDEN=1)\n`);
      else err(`pff: Processing "${e.name}"...\n`);
    };
    if (tree) o.onTree = (t) => err(treeLines(t, showProps).join('\n') + '\n');
    try {
      err(`pff: Reading ${file}...\n`);
      const t0 = performance.now();
      const pooled = jobs > 1 && !tree && !o.onlyObj && src.size >= POOL_MIN_BYTES;
      // One sequential pass: the slab cache's default budget (8 MiB) is plenty, with worker
      // threads too (this thread then reads only folders, contents tables and large messages).
      const pst = await openPst(src, { onFinding: o.onFinding, codepage: o.codepage, forceCodepage: o.forceCodepage });
      err(`pff: ... ${((performance.now() - t0) / 1000).toFixed(6)}s\n`);
      let pool: MessagePool | undefined;
      if (pooled) {
        pool = createThreadPool(file, jobs, { version: o.version ?? 5, codepage: o.codepage, forceCodepage: o.forceCodepage });
        o.pool = pool;
        err(`pff: ${jobs} worker threads\n`);
      }
      const res = await pstToMt(pst, sink, o).finally(() => pool?.close());
      err(`pff: emitted ${res.messages} message(s)` +
        (res.skippedMessages || res.skippedFolders ? `; skipped ${res.skippedMessages} message(s) and ${res.skippedFolders} folder(s)` : '') +
        (errors || warnings ? `; ${errors} error(s), ${warnings} warning(s) reported` : '') + '\n');
      if (res.stopped) {
        err(`pff: stopped: ${res.stopped}\npff: Import unsuccessful.\n`);
        return 1;
      }
      return 0;
    } catch (e) {
      if (e instanceof PstOpenError) err(`pff: "${file}" not recognized as PFF: ${e.message}\n`);
      else err(`pff: Exception: ${(e as Error).message}\n`);
      err('pff: Import unsuccessful.\n');
      return 1;
    } finally {
      await src.close();
    }
  },
};

function propText(p: Prop): string {
  const j = propJson(p);
  return `${j.tag}${j.name ? ' ' + JSON.stringify(j.name) : ''}=${JSON.stringify(j.value).slice(0, 120)}`;
}

function treeLines(t: TreeObject, props: boolean): string[] {
  if (t.kind === 'folder') {
    const out = [`\\_ [id=${t.nid.toString(16)}h type=folder parent=${t.parent.toString(16)}h]`];
    if (props) out.push(`   props(${t.props.length}): {${t.props.map(propText).join(', ')}}`);
    return out;
  }
  const out = [`\\_ [id=${t.nid.toString(16)}h type=message parent=${t.parent.toString(16)}h]`];
  const content = (m: typeof t.content, ind: string) => {
    if (props) out.push(`${ind}props(${m.props.length}): {${m.props.map(propText).join(', ')}}`);
    m.recipients.forEach((r, i) => out.push(`${ind}Recipient #${i}${props ? `: {${r.map(propText).join(', ')}}` : ''}`));
    m.attachments.forEach((a, i) => {
      out.push(`${ind}Attachment #${i}${props ? `: {${a.props.map(propText).join(', ')}}` : ''}`);
      if (a.embedded) {
        out.push(`${ind}  Embedded message`);
        content(a.embedded, ind + '    ');
      }
    });
  };
  content(t.content, '   ');
  return out;
}
