/**
 * The eml2mt stream layout for item converters without a folder tree (EML, mbox, TNEF, iCal,
 * vCard): header `GXMT0005 00 00`, empty folder and name maps, then one unanchored message frame
 * per item (nid 1, 2, 3 … in input order, parent_type 3, parent 0xFFFFFFFFFFFFFFFF) with named
 * properties numbered from 0x8000 in first-use order and defined by a 250 frame just before the
 * first message that uses them (shared/reference/gxmt-format.md §5,
 * shared/reference/mime-ical-vcard.md §1.1). gromox-import puts such messages into its -B folder.
 */
import type { ByteSink } from '../io/sink.ts';
import type { FindingSink } from '../findings.ts';
import type { MessageContent } from '../mapi/types.ts';
import { createGxmtWriter, MAILBOX_FID_UNANCHORED, MAPI_FOLDER, type GxmtVersion } from '../gxmt/index.ts';

export interface UnanchoredItem {
  content: MessageContent;
  /** The original RFC 5322 text (EML, mbox entries); omitted for iCal/vCard/TNEF. */
  rfc5322?: Uint8Array;
}

export interface UnanchoredOptions {
  onFinding?: FindingSink;
  version?: GxmtVersion;
  /** nid of the first message (default 1); later items count up from it. */
  firstNid?: bigint;
  /** Called after each item with its nid and whether it was written. */
  onItem?: (nid: bigint, written: boolean) => void;
  /** Close the sink at the end (default true). */
  closeSink?: boolean;
}

export interface UnanchoredResult {
  written: number;
  skipped: number;
  bytes: number;
}

/**
 * Write every item as an unanchored message. A nid is used per input item even when the writer
 * has to skip the item, so nids stay tied to input positions (as eml2mt's running count).
 */
export async function writeUnanchoredItems(
  sink: ByteSink,
  items: AsyncIterable<UnanchoredItem> | Iterable<UnanchoredItem>,
  options: UnanchoredOptions = {},
): Promise<UnanchoredResult> {
  const closeSink = options.closeSink ?? true;
  const target: ByteSink = closeSink ? sink : { write: (c) => sink.write(c), close() {} };
  const w = await createGxmtWriter(
    target,
    { version: options.version ?? 5, splice: false, publicStore: false, folderMap: [] },
    { onFinding: options.onFinding, namedIds: 'first-use' },
  );
  let nid = options.firstNid ?? 1n;
  for await (const item of items) {
    const ok = await w.writeMessage(nid, MAILBOX_FID_UNANCHORED, item.content, item.rfc5322, MAPI_FOLDER);
    options.onItem?.(nid, ok);
    nid++;
  }
  await w.close();
  return { written: w.counts.messages, skipped: w.counts.skipped, bytes: w.bytesWritten };
}
