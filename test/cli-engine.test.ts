/**
 * The engine settings of the `mailferry` command (cli/engine.ts): the launcher cli/bin/mailferry
 * must start node with STARTUP_ENV and the start-up flags of the command named first, also when
 * run through a symlink (as npm links it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { COMMAND_STARTUP_FLAGS, DEFAULT_STARTUP_FLAGS, STARTUP_ENV, startupFlags } from '../cli/engine.ts';
import { COMMAND_NAMES } from '../cli/main.ts';

const bin = join(__dirname, '..', 'cli', 'bin', 'mailferry');

describe('mailferry engine flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailferry-engine-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // A module loaded before the command reports the flags and environment node started with.
  const probe = join(dir, 'probe.mjs');
  writeFileSync(probe, "process.stderr.write('probe=' + JSON.stringify({ execArgv: process.execArgv, arenas: process.env.MALLOC_ARENA_MAX }) + '\\n');\n");
  const started = (exe: string, args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--import ${probe}` };
    delete env.MALLOC_ARENA_MAX;
    const r = spawnSync(exe, args, { encoding: 'utf8', env });
    const line = r.stderr.split('\n').find((l) => l.startsWith('probe='));
    expect(line, r.stderr).toBeDefined();
    return { ...r, probe: JSON.parse(line!.slice('probe='.length)) as { execArgv: string[]; arenas?: string } };
  };

  test('the table names known commands, and flags only V8 reads at start-up', () => {
    expect(STARTUP_ENV.MALLOC_ARENA_MAX).toBe('1');
    for (const c of Object.keys(COMMAND_STARTUP_FLAGS)) expect(COMMAND_NAMES).toContain(c);
    for (const f of [...DEFAULT_STARTUP_FLAGS, ...Object.values(COMMAND_STARTUP_FLAGS).flat()]) expect(f).toMatch(/^--((min|max)-semi-space-size|v8-pool-size)=\d+$/);
    expect(startupFlags('inspect')).not.toEqual(DEFAULT_STARTUP_FLAGS);
    expect(startupFlags('constructor')).toEqual(DEFAULT_STARTUP_FLAGS);
  });

  test.each([...COMMAND_NAMES, '--help'])('the launcher starts `mailferry %s` with its flags', (command) => {
    const r = started(bin, [command, '--help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage: mailferry');
    expect(r.probe.execArgv).toEqual([...startupFlags(command)]);
    expect(r.probe.arenas).toBe(STARTUP_ENV.MALLOC_ARENA_MAX);
  });

  test('through a symlink, with no command', () => {
    const link = join(dir, 'mailferry');
    symlinkSync(bin, link);
    const r = started(link, []);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('Usage: mailferry <command>');
    expect(r.probe.execArgv).toEqual([...DEFAULT_STARTUP_FLAGS]);
    expect(r.probe.arenas).toBe('1');
  });
});
