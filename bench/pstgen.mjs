/**
 * PST/OST writer throughput: generates a ~1 GiB Unicode PST (attachments of random bytes, so the
 * file is dominated by data blocks, XBLOCK/XXBLOCK trees and CRCs) and a 256 MiB 4K OST with
 * compressible attachments (zlib per block), and prints MiB/s. Runs the built code in dist/node.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDescription, writePst } from '../dist/node/cli/pstgen/index.js';

export async function run(log = console.log) {
  const dir = mkdtempSync(join(tmpdir(), 'pstgen-bench-'));
  try {
    const cases = [
      { variant: 'unicode', crypt: 'permute', messages: 2000, attachmentMiB: 1000, attachmentKind: 'random' },
      { variant: 'ost4k', crypt: 'none', messages: 2000, attachmentMiB: 256, attachmentKind: 'text' },
    ];
    for (const c of cases) {
      const file = join(dir, `bench-${c.variant}.pst`);
      const desc = generateDescription({ ...c, seed: 1 });
      const t0 = performance.now();
      const r = await writePst(desc, file, c.variant === 'ost4k' ? { compressionLevel: 1 } : {});
      const s = (performance.now() - t0) / 1000;
      const mib = statSync(file).size / 1048576;
      log(
        `pstgen ${c.variant}/${c.crypt}: ${mib.toFixed(0)} MiB file, ${c.messages} messages, ${c.attachmentMiB} MiB attachments` +
          ` in ${s.toFixed(1)} s = ${(mib / s).toFixed(0)} MiB/s (${r.blocks} blocks${r.compressedBlocks ? `, ${r.compressedBlocks} compressed` : ''}, ${r.xxblocks} XXBLOCK trees)`,
      );
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
