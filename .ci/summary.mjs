// Prints the closing line CI reads: "tests: N passed, N failed, N skipped" from vitest's JSON report.
import { readFileSync, existsSync } from 'node:fs';
const path = new URL('../test-output/vitest.json', import.meta.url);
if (!existsSync(path)) {
  console.log('tests: 0 passed, 1 failed');
  process.exit(0);
}
const r = JSON.parse(readFileSync(path, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
