// Placeholder until the 'inspect' command lands; the owner of this command replaces this file.
import type { Command } from '../main.ts';

export const command: Command = {
  summary: 'inspect',
  async run() {
    process.stderr.write("mailferry: 'inspect' is not implemented yet\n");
    return 2;
  },
};
