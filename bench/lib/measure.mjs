/**
 * Shared pieces of the benchmark parts: the seeded generator every part uses so each run measures
 * the same bytes, and one way to time a CLI run with its CPU time and peak RSS (/usr/bin/time).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Seconds after which a run of a reference tool is stopped (MAILFERRY_BENCH_TIMEOUT, default 300). */
export const STOP_AFTER = Math.max(1, Number(process.env.MAILFERRY_BENCH_TIMEOUT ?? 300));
const GNU_TIMEOUT = existsSync('/usr/bin/timeout') ? '/usr/bin/timeout' : null;

/**
 * The argv that runs `cmd args` and stops it after `limit` seconds (0: never) with GNU timeout
 * and KILL; timeout runs the command in its own process group and stops the whole group (readpst
 * forks). Without /usr/bin/timeout the command runs unstopped.
 */
export function stoppable(cmd, args, limit) {
  return limit > 0 && GNU_TIMEOUT ? [GNU_TIMEOUT, '-s', 'KILL', String(limit), cmd, ...args] : [cmd, ...args];
}

/** Whether a stoppable() run's exit status says timeout stopped it: 137 (128 + KILL), or 124. */
export function wasStopped(limit, status) {
  return limit > 0 && GNU_TIMEOUT !== null && (status === 137 || status === 124);
}

/** The `mailferry` executable: a launcher that starts node with cli/engine.ts's start-up settings for its command. */
export const MAILFERRY = join(root, 'cli/bin/mailferry');

/**
 * `[cmd, args]` that run a script of our own with node started as the `mailferry` launcher starts
 * it for commands without settings of their own (cli/engine.ts: STARTUP_ENV through /usr/bin/env,
 * which hands over to node, and DEFAULT_STARTUP_FLAGS). Needs dist/node.
 */
export async function asExecutable() {
  const { STARTUP_ENV, DEFAULT_STARTUP_FLAGS } = await import(pathToFileURL(join(root, 'dist/node/cli/engine.js')).href);
  const env = Object.entries(STARTUP_ENV).map(([k, v]) => `${k}=${v}`);
  return (...args) => ['/usr/bin/env', [...env, process.execPath, ...DEFAULT_STARTUP_FLAGS, ...args]];
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Run `mailferry ARGS > /dev/null` under /usr/bin/time.
 * Resolves to {code, secs (wall), cpu (user+sys seconds), peakRssMiB, stderr}.
 */
export function runCli(args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    // The executable itself (the launcher: cli/engine.ts's start-up settings).
    const cli = JSON.stringify(MAILFERRY);
    const child = spawn('bash', ['-c', `/usr/bin/time -f '%U %S %M' ${cli} ${args.map((a) => JSON.stringify(a)).join(' ')} > /dev/null`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      const [user, sys, kib] = err.trim().split('\n').pop().split(' ').map(Number);
      resolve({ code, secs, cpu: user + sys, peakRssMiB: Number.isFinite(kib) ? kib / 1024 : NaN, stderr: err });
    });
  });
}
