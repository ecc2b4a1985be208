/**
 * `npm run bench`: runs every bench/*.mjs part except this file, in name order. Each part exports
 * `async function run(log)` and measures BUILT code (dist/node/...), never tests. A part that
 * throws is reported and the run continues; the exit code says whether any part failed.
 *
 * Before the parts run, the code under test is brought up to date: the wasm kernels are built if
 * their generated module is missing, the Node build (`tsc -p cli/tsconfig.json`, as
 * `npm run build:node`) is refreshed, and worker/codec is compiled into dist/node with
 * bench/tsconfig.json so the codec part works even before anything in cli/ imports the codecs.
 * `--no-build` skips all of that. Further arguments select parts by substring (`npm run bench -- codec`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
const only = args.filter((a) => !a.startsWith('--'));

function step(what, cmd, args) {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    console.log(`bench: ${what} failed (${e.message.split('\n')[0]}); continuing`);
  }
}

if (!noBuild) {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  if (!existsSync(join(root, 'worker/codec/generated/kernels-wasm.ts'))) {
    step('wasm build', process.execPath, [join(root, 'wasm/build.mjs')]);
  }
  step('tsc -p cli/tsconfig.json', process.execPath, [tsc, '-p', join(root, 'cli/tsconfig.json')]);
  step('tsc -p bench/tsconfig.json', process.execPath, [tsc, '-p', join(here, 'tsconfig.json')]);
}

const parts = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs')
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

let failed = 0;
for (const f of parts) {
  const name = f.replace(/\.mjs$/, '');
  const log = (...args) => console.log(`[${name}]`, ...args);
  console.log(`\n=== ${f} ===`);
  const t0 = performance.now();
  try {
    const mod = await import(pathToFileURL(join(here, f)).href);
    if (typeof mod.run !== 'function') throw new Error('exports no run(log)');
    await mod.run(log);
    console.log(`=== ${f}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s ===`);
  } catch (e) {
    failed++;
    console.log(`=== ${f}: FAILED: ${e?.stack ?? e} ===`);
  }
}
console.log(`\nbench: ${parts.length - failed} of ${parts.length} part(s) completed${failed ? `, ${failed} failed` : ''}.`);
process.exitCode = failed ? 1 : 0;
