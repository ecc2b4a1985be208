// Placeholder until the 'mbox2mt' command lands; the owner of this command replaces this file.
import type { Command } from '../main.ts';

export const command: Command = {
  summary: 'mbox2mt',
  async run() {
    process.stderr.write("mailferry: 'mbox2mt' is not implemented yet\n");
    return 2;
  },
};
