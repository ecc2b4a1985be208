// Placeholder until the 'eml2mt' command lands; the owner of this command replaces this file.
import type { Command } from '../main.ts';

export const command: Command = {
  summary: 'eml2mt',
  async run() {
    process.stderr.write("mailferry: 'eml2mt' is not implemented yet\n");
    return 2;
  },
};
