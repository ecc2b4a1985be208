// Placeholder until the 'pff2mt' command lands; the owner of this command replaces this file.
import type { Command } from '../main.ts';

export const command: Command = {
  summary: 'pff2mt',
  async run() {
    process.stderr.write("mailferry: 'pff2mt' is not implemented yet\n");
    return 2;
  },
};
