/**
 * The engine settings of the `mailferry` command (cli/engine.ts): the start-up environment and
 * flags are named on the executable's `#!/usr/bin/env -S … node …` line, which must say what
 * STARTUP_ENV and STARTUP_FLAGS say, and run as an executable the command starts with them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { STARTUP_ENV, STARTUP_FLAGS, shebang } from '../cli/engine.ts';

const bin = join(__dirname, '..', 'cli', 'bin', 'mailferry.js');

describe('mailferry engine flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailferry-engine-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the executable's first line names STARTUP_ENV and STARTUP_FLAGS", () => {
    const first = readFileSync(bin, 'utf8').split('\n')[0];
    expect(STARTUP_FLAGS.length).toBeGreaterThan(0);
    expect(STARTUP_ENV.MALLOC_ARENA_MAX).toBe('1');
    expect(first).toBe(shebang());
    expect(first).toBe(`#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node ${STARTUP_FLAGS.join(' ')}`);
  });

  test('run as an executable, the command starts with them', () => {
    // A module loaded before the command reports the flags node started with.
    const probe = join(dir, 'probe.mjs');
    writeFileSync(probe, "process.stderr.write('execArgv=' + JSON.stringify(process.execArgv) + '\\n' + 'arenas=' + process.env.MALLOC_ARENA_MAX + '\\n');\n");
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--import ${probe}` };
    delete env.MALLOC_ARENA_MAX;
    const r = spawnSync(bin, ['--help'], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage: mailferry');
    const line = r.stderr.split('\n').find((l) => l.startsWith('execArgv='));
    expect(JSON.parse(line!.slice('execArgv='.length))).toEqual([...STARTUP_FLAGS]);
    expect(r.stderr.split('\n')).toContain(`arenas=${STARTUP_ENV.MALLOC_ARENA_MAX}`);
  });
});
