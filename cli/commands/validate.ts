// Placeholder until the 'validate' command lands; the owner of this command replaces this file.
import type { Command } from '../main.ts';

export const command: Command = {
  summary: 'validate',
  async run() {
    process.stderr.write("mailferry: 'validate' is not implemented yet\n");
    return 2;
  },
};
