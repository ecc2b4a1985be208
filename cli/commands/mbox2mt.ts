/**
 * `mailferry mbox2mt`: mbox files → one GXMT stream (gromox-mbox2mt = gromox-eml2mt --mbox); the
 * runner is shared with eml2mt and tnef2mt (cli/commands/eml2mt.ts).
 */
import type { Command } from '../main.ts';
import { runMailCommand } from './eml2mt.ts';

export const command: Command = {
  summary: 'convert mbox files to a GXMT stream',
  run: (args) => runMailCommand('mbox', args),
};
