/**
 * `mailferry tnef2mt`: TNEF files (winmail.dat) → one GXMT stream (gromox-tnef2mt = gromox-eml2mt
 * --tnef); the runner is shared with eml2mt and mbox2mt (cli/commands/eml2mt.ts).
 */
import type { Command } from '../main.ts';
import { runMailCommand } from './eml2mt.ts';

export const command: Command = {
  summary: 'convert TNEF (winmail.dat) files to a GXMT stream',
  run: (args) => runMailCommand('tnef', args),
};
