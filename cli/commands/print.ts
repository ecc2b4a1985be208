// Placeholder until the 'print' command lands; the owner of this command replaces this file.
import type { Command } from '../main.ts';

export const command: Command = {
  summary: 'print',
  async run() {
    process.stderr.write("mailferry: 'print' is not implemented yet\n");
    return 2;
  },
};
