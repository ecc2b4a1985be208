/**
 * `mailferry inspect FILE [--json]`: the store and its folder tree with per-folder message/FAI
 * counts and sizes (worker/pst/inspect.ts documents the JSON). Exit 0, or 2 when the file
 * cannot be opened as a PST/OST.
 */
import type { Command } from '../main.ts';
import { openFileSource, parseArgs } from '../io.ts';
import { formatInspect, inspect } from '../../worker/pst/inspect.ts';
import { PstOpenError } from '../../worker/pst/index.ts';
import { setCollectLimits } from '../memory.ts';

const HELP = `Usage: mailferry inspect FILE [--json] [--codepage N] [--no-attachments]

Shows a PST/OST file's format, encryption, password flag and folder tree with message,
FAI and attachment counts and sizes.
  --json            print JSON (variant, encryption, store, folders tree, totals, findings)
  --codepage N      Windows code page for 8-bit strings without their own (default 1252)
  --no-attachments  skip counting attachments (faster on huge files)`;

export const command: Command = {
  summary: 'show a PST/OST store and its folder tree with counts',
  async run(args) {
    const { opts, rest, unknown } = parseArgs(args, { flags: ['--json', '--no-attachments', '--help', '-h'], values: ['--codepage'] });
    if (opts['--help'] || opts['-h']) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    const cp = opts['--codepage'] !== undefined ? Number(opts['--codepage']) : undefined;
    if (unknown.length || rest.length !== 1 || (cp !== undefined && !(cp > 0))) {
      process.stderr.write(`${unknown.length ? `mailferry inspect: unknown option ${unknown.join(', ')}\n` : ''}${HELP}\n`);
      return 2;
    }
    let src;
    try {
      src = await openFileSource(rest[0]!);
    } catch (e) {
      process.stderr.write(`mailferry inspect: ${(e as Error).message}\n`);
      return 2;
    }
    setCollectLimits(16 << 20, 8 << 20);
    try {
      const r = await inspect(src, { codepage: cp, attachments: opts['--no-attachments'] !== true });
      process.stdout.write((opts['--json'] ? JSON.stringify(r, null, 2) : formatInspect(r)) + '\n');
      return 0;
    } catch (e) {
      if (e instanceof PstOpenError) {
        process.stderr.write(`mailferry inspect: ${rest[0]}: ${e.message}\n`);
        return 2;
      }
      throw e;
    } finally {
      await src.close();
    }
  },
};
