/**
 * `mailferry vcf2mt`: vCard files → one GXMT stream on stdout, as `gromox-vcf2mt` (= `gromox-eml2mt
 * --vcard --oneoff`) writes it: unanchored IPM.Contact / IPM.DistList messages, named properties
 * from 0x8000 in first-use order. Cards are read and written one by one, so memory stays bounded
 * by the largest card. Item-level by default; --strict gives gromox's all-or-nothing per file.
 */
import type { Command } from '../main.ts';
import { findingReporter, openFileSource, parseArgs, stdoutSink } from '../io.ts';
import { vcfItems, VcfStrictError, MemberIndex, itemClass, type VcfItem } from '../../worker/convert/vcf.ts';
import { writeUnanchoredItems } from '../../worker/convert/items-to-mt.ts';
import { propJson } from '../../worker/gxmt/json.ts';
import type { MessageContent } from '../../worker/mapi/types.ts';

const HELP = `Usage: mailferry vcf2mt [options] FILE... > out.mt

Convert vCard files (2.1, 3.0, 4.0; several cards per file) to a GXMT stream for
gromox-mt2exm / gromox-import (import with -B CONTACTS). Every card becomes an IPM.Contact,
groups (KIND:group, X-ADDRESSBOOKSERVER-KIND:group) become IPM.DistList, PHOTO becomes the
contact picture. Addresses are always one-off entry IDs (gromox's --oneoff).

Options:
  --strict        gromox parity: a file with a card gromox rejects (VERSION other than 3.0/4.0,
                  a damaged card) contributes nothing and the run stops with exit status 1
  -P              pedantic: reject a card with a property this converter does not map
  --codepage=N    Windows code page for 8-bit vCard 2.1 text without CHARSET that is not UTF-8
                  (default 1252)
  -t              print a tree of each converted message to stderr
  -p              with -t, print the properties too
  --loglevel=N    findings on stderr: 1-3 errors only, 4 (default) also warnings, 5+ also info
  --oneoff        accepted for compatibility (always on)
  -h, --help      this text

Exit status: 0 all files converted (findings may have been reported), 1 a file could not be read
or --strict stopped the run, 2 usage error.
`;

function tree(nid: bigint, item: string, c: MessageContent, props: boolean): string {
  const lines = [`message ${nid} (${item}): ${itemClass(c)}, ${c.props.length} props, ${c.attachments.length} attachments`];
  const show = (p: ReturnType<typeof propJson>) => {
    const s = JSON.stringify(p);
    return s.length > 200 ? s.slice(0, 197) + '...' : s;
  };
  if (props) for (const p of c.props) lines.push('  ' + show(propJson(p)));
  c.attachments.forEach((a, i) => {
    lines.push(`  attachment ${i}: ${a.props.length} props`);
    if (props) for (const p of a.props) lines.push('    ' + show(propJson(p)));
  });
  return lines.join('\n') + '\n';
}

export const command: Command = {
  summary: 'convert vCard (.vcf) files to a GXMT stream',
  async run(args) {
    const { opts, rest, unknown } = parseArgs(args, {
      flags: ['--strict', '-P', '-t', '-p', '-pp', '--oneoff', '-h', '--help'],
      values: ['--codepage', '--loglevel', '--decap'],
    });
    if (opts['-h'] || opts['--help']) {
      process.stdout.write(HELP);
      return 0;
    }
    if (unknown.length || rest.length === 0) {
      process.stderr.write(`mailferry vcf2mt: ${unknown.length ? `unknown option ${unknown[0]}` : 'no input FILE'}\n\n${HELP}`);
      return 2;
    }
    const codepage = opts['--codepage'] !== undefined ? Number(opts['--codepage']) : undefined;
    if (codepage !== undefined && !(Number.isInteger(codepage) && codepage > 0)) {
      process.stderr.write('mailferry vcf2mt: --codepage needs a Windows code page number, e.g. 1252\n');
      return 2;
    }
    const loglevel = opts['--loglevel'] !== undefined ? Number(opts['--loglevel']) : 4;
    if (opts['--decap'] !== undefined) process.stderr.write('mailferry vcf2mt: --decap has no effect on vCard input\n');
    const strict = opts['--strict'] === true;
    const pedantic = opts['-P'] === true;
    const showTree = opts['-t'] === true;
    const showProps = opts['-p'] === true || opts['-pp'] === true;

    let sink;
    try {
      sink = stdoutSink();
    } catch (e) {
      process.stderr.write(`mailferry vcf2mt: ${(e as Error).message}\n`);
      return 2;
    }
    const { log, report } = findingReporter(loglevel);
    let status = 0;
    const index = new MemberIndex();
    let nid = 0n;
    async function* items(): AsyncGenerator<VcfItem> {
      for (const path of rest) {
        let src;
        try {
          src = await openFileSource(path);
        } catch (e) {
          process.stderr.write(`mailferry vcf2mt: ${path}: ${(e as Error).message}\n`);
          status = 1;
          if (strict) return;
          continue;
        }
        try {
          for await (const it of vcfItems(src, { codepage, strict, pedantic, index }, report)) {
            nid++;
            if (showTree) process.stderr.write(tree(nid, it.item, it.content, showProps));
            yield it;
          }
        } catch (e) {
          status = 1;
          if (e instanceof VcfStrictError) {
            process.stderr.write(`mailferry vcf2mt: ${e.message}\n`);
            return; // gromox stops at the first failing file
          }
          process.stderr.write(`mailferry vcf2mt: ${path}: ${(e as Error).message}\n`);
          if (strict) return;
        } finally {
          await src.close();
        }
      }
    }
    const result = await writeUnanchoredItems(sink, items(), { onFinding: report, closeSink: true }).catch((e: Error) => {
      process.stderr.write(`mailferry vcf2mt: ${e.message}\n`);
      status = 1;
      return undefined;
    });
    if (loglevel >= 4) {
      process.stderr.write(
        `vcf2mt: ${result?.written ?? 0} messages written, ${result?.skipped ?? 0} skipped; findings: ${log.counts.error} errors, ${log.counts.warning} warnings, ${log.counts.info} info\n`,
      );
    }
    return status;
  },
};
