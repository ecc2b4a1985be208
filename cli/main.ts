/**
 * `mailferry` command dispatcher. Each command lives in its own module under commands/ and is
 * loaded only when asked for, so `--help` and small commands start fast.
 */
export interface Command {
  /** One line for `mailferry --help`. */
  summary: string;
  /** Runs the command; resolves to the process exit status. */
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  inspect: { summary: 'show a PST/OST store and its folder tree with counts', load: () => import('./commands/inspect.ts') },
  validate: { summary: 'pre-flight integrity check of a PST/OST file (verdict, findings, exit 0/1/2)', load: () => import('./commands/validate.ts') },
  pff2mt: { summary: 'convert a PST/OST file to a GXMT stream for gromox-mt2exm', load: () => import('./commands/pff2mt.ts') },
  eml2mt: { summary: 'convert RFC 5322 mail files (.eml) to a GXMT stream', load: () => import('./commands/eml2mt.ts') },
  mbox2mt: { summary: 'convert mbox files to a GXMT stream', load: () => import('./commands/mbox2mt.ts') },
  tnef2mt: { summary: 'convert TNEF (winmail.dat) files to a GXMT stream', load: () => import('./commands/tnef2mt.ts') },
  ical2mt: { summary: 'convert iCalendar (.ics) files to a GXMT stream', load: () => import('./commands/ical2mt.ts') },
  vcf2mt: { summary: 'convert vCard (.vcf) files to a GXMT stream', load: () => import('./commands/vcf2mt.ts') },
  print: { summary: 'decode a GXMT stream strictly and print its tree (or JSON lines)', load: () => import('./commands/print.ts') },
};

/** The commands `mailferry` knows (the launcher, cli/bin/mailferry, picks start-up flags by them). */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: mailferry <command> [options] [FILE...]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'mailferry <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version') {
    process.stdout.write('mailferry 0.1.0\n');
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`mailferry: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  let mod: { command: Command };
  try {
    mod = await entry.load();
  } catch (e) {
    process.stderr.write(`mailferry: command '${name}' is not available in this build (${(e as Error).message})\n`);
    return 2;
  }
  return mod.command.run(rest);
}
