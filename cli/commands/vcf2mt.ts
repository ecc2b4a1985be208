// Placeholder until the 'vcf2mt' command lands; the owner of this command replaces this file.
import type { Command } from '../main.ts';

export const command: Command = {
  summary: 'vcf2mt',
  async run() {
    process.stderr.write("mailferry: 'vcf2mt' is not implemented yet\n");
    return 2;
  },
};
