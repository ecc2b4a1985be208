/**
 * TNEF file → one MAPI item (gromox-tnef2mt): the reader in worker/tnef/ gives the full property
 * set; the frame's RFC 5322 field stays empty as in gromox (reference §1.1). A file that is not
 * TNEF is skipped with a finding (strict: the run stops).
 */
import type { ByteSource } from '../io/byte-source.ts';
import type { FindingSink } from '../findings.ts';
import { readTnef } from '../tnef/reader.ts';
import { MailStrictError, type MailItem } from './eml.ts';

export interface TnefConvertOptions {
  /** Code page for 8-bit strings when the stream has no attOemCodepage (default 1252). */
  codepage?: number;
  strict?: boolean;
  /** Largest file read (default 1 GiB). */
  maxBytes?: number;
}

export async function* tnefItems(source: ByteSource, options: TnefConvertOptions = {}, onFinding: FindingSink = () => {}): AsyncGenerator<MailItem> {
  const item = source.name ?? 'input.tnef';
  const max = options.maxBytes ?? 1 << 30;
  const fail = (code: string, message: string) => {
    onFinding({ code, severity: 'error', message: `${message}; skipped`, item });
    if (options.strict) throw new MailStrictError(item, message);
  };
  if (source.size > max) return fail('TNEF-TOO-LARGE', `file of ${source.size} bytes is larger than the ${max}-byte limit`);
  const bytes = await source.read(0, source.size);
  const content = readTnef(bytes, { findings: onFinding, item, codepage: options.codepage });
  if (!content) return fail('TNEF-SIGNATURE', 'not a TNEF stream (signature 0x223E9F78 missing)');
  yield { content, item };
}
