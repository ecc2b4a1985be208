/**
 * Where the shared third-party corpus lives and how tests that need it skip visibly when it is
 * absent. The corpus is read in place; nothing from it is copied into the repository.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

export const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const sharedDir = process.env.MAILFERRY_SHARED ?? resolve(repoRoot, '..', 'shared');
export const corpusDir = join(sharedDir, 'corpus');
export const hasCorpus = existsSync(corpusDir);

let warned = false;
/** `describe` that runs only with the corpus present, and says so loudly when it is not. */
export function describeCorpus(name: string, fn: () => void): void {
  if (!hasCorpus && !warned) {
    warned = true;
    console.warn(`NOTICE: ${corpusDir} is absent; corpus tests are skipped.`);
  }
  (hasCorpus ? describe : describe.skip)(name, fn);
}

/** Every file under `dir` (relative to the corpus) whose name matches `re`, sorted. */
export function corpusFiles(dir: string, re: RegExp = /./): string[] {
  const root = join(corpusDir, dir);
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (re.test(e)) out.push(p);
    }
  };
  walk(root);
  return out;
}

export const corpusRel = (p: string) => relative(corpusDir, p);
