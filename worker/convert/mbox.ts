/**
 * mbox → MAPI items (gromox-mbox2mt): the splitter in worker/mbox/ hands over one message at a time,
 * each is mapped like an EML file and carries its own text (without the envelope line) as the
 * frame's RFC 5322 field. Memory is bounded by the largest single message.
 */
import type { ByteSource } from '../io/byte-source.ts';
import { bytesSource } from '../io/byte-source.ts';
import type { FindingSink } from '../findings.ts';
import { readMbox } from '../mbox/reader.ts';
import { convertMailMessage, MailStrictError, type MailConvertOptions, type MailItem } from './eml.ts';

export interface MboxConvertOptions extends MailConvertOptions {
  /** `auto` (blank line before `From `, mboxrd unquoting) or `gromox` (its splitting, no unquoting). */
  split?: 'auto' | 'gromox';
}

export async function* mboxItems(source: ByteSource, options: MboxConvertOptions = {}, onFinding: FindingSink = () => {}): AsyncGenerator<MailItem> {
  const file = source.name ?? 'input.mbox';
  const max = options.maxMessageBytes ?? 1 << 30;
  let count = 0;
  for await (const m of readMbox(source, { mode: options.split ?? 'auto', findings: onFinding })) {
    const item = `${file}#${m.index}`;
    count++;
    if (m.bytes.length > max) {
      onFinding({ code: 'MIME-TOO-LARGE', severity: 'error', message: `message of ${m.bytes.length} bytes is larger than the ${max}-byte limit; skipped`, item, offset: m.offset });
      if (options.strict) throw new MailStrictError(item, 'message too large');
      continue;
    }
    if (m.bytes.length === 0) {
      onFinding({ code: 'MBOX-EMPTY-MESSAGE', severity: 'warning', message: 'empty mbox entry; skipped', item, offset: m.offset });
      continue;
    }
    const it = await convertMailMessage(bytesSource(m.bytes, item), m.bytes, item, options, onFinding);
    if (it) yield it;
  }
  if (count === 0) onFinding({ code: 'MBOX-NO-MESSAGES', severity: 'warning', message: 'no messages found in the mbox', item: file });
}
