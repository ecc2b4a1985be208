/**
 * Shared helpers of the PST reader tests: walk a PstFile into a plain tree that can be compared
 * with a pstgen description, pffexport's output or readpst's, and hash attachment bytes.
 */
import { createHash } from 'node:crypto';
import type { Folder, PstFile } from '../worker/pst/index.ts';
import type { MessageContent, Prop } from '../worker/mapi/types.ts';
import { PR_ATTACH_DATA_BIN } from '../worker/mapi/tags.ts';
import type { AttachmentContentDesc, PstDescription } from '../cli/pstgen/index.ts';

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A Unicode, permute-encoded mailbox whose Inbox holds one message per attachment content, in order. */
export function attachmentInbox(displayName: string, contents: AttachmentContentDesc[]): PstDescription {
  return {
    variant: 'unicode',
    crypt: 'permute',
    store: { displayName },
    folders: [
      {
        name: 'Inbox',
        messages: contents.map((content, i) => ({ messageClass: 'IPM.Note', subject: `m ${i}`, attachments: [{ filename: `a${i}.bin`, content }] })),
      },
    ],
  };
}

/** PR_ATTACH_DATA_BIN of a message's first attachment. */
export const firstAttachmentData = (m: MessageContent): Uint8Array => m.attachments[0]!.props.find((p) => p.tag === PR_ATTACH_DATA_BIN)!.value as Uint8Array;

export interface WalkedAttachment {
  name: string;
  method?: number;
  size?: number;
  sha256?: string;
  embedded?: WalkedMessage;
}

export interface WalkedMessage {
  nid?: number;
  messageClass?: string;
  subject: string;
  recipients: number;
  attachments: WalkedAttachment[];
  propCount: number;
}

export interface WalkedFolder {
  path: string[];
  nid: number;
  search: boolean;
  messages: WalkedMessage[];
  fai: WalkedMessage[];
}

export const val = (props: Prop[], id: number): Prop['value'] | undefined => props.find((p) => p.tag >>> 16 === id && !p.name)?.value;

/** PR_SUBJECT without the U+0001 prefix-length marker ([MS-PST] samples, pst-format.md §8.6). */
export function subjectOf(props: Prop[]): string {
  const s = val(props, 0x0037);
  if (typeof s !== 'string') return '';
  return s.charCodeAt(0) === 1 ? s.slice(2) : s;
}

export function walkMessage(m: MessageContent, nid?: number): WalkedMessage {
  const out: WalkedMessage = {
    subject: subjectOf(m.props),
    recipients: m.recipients.length,
    attachments: [],
    propCount: m.props.length,
  };
  if (nid !== undefined) out.nid = nid;
  const cls = val(m.props, 0x001a);
  if (typeof cls === 'string') out.messageClass = cls;
  for (const a of m.attachments) {
    const name = val(a.props, 0x3707) ?? val(a.props, 0x3704) ?? val(a.props, 0x3001) ?? '';
    const w: WalkedAttachment = { name: String(name) };
    const method = val(a.props, 0x3705);
    if (typeof method === 'number') w.method = method;
    // By value (PR_ATTACH_DATA_BIN) or OLE storage bytes (PR_ATTACH_DATA_OBJ, ATTACH_OLE).
    const data = a.props.find((p) => p.tag === 0x37010102 || p.tag === 0x3701000d)?.value;
    if (data instanceof Uint8Array) {
      w.size = data.length;
      w.sha256 = sha256(data);
    }
    if (a.embedded) w.embedded = walkMessage(a.embedded);
    out.attachments.push(w);
  }
  return out;
}

/** Every folder under `start` (depth first) with its messages and FAI read in full. */
export async function walkPst(pst: PstFile, opts: { readFai?: boolean } = {}): Promise<WalkedFolder[]> {
  const out: WalkedFolder[] = [];
  const rec = async (f: Folder, path: string[]) => {
    const wf: WalkedFolder = { path, nid: f.nid, search: f.isSearchFolder, messages: [], fai: [] };
    out.push(wf);
    for await (const ref of f.messages()) wf.messages.push(walkMessage(await pst.readMessage(ref.nid), ref.nid));
    for await (const ref of f.messages({ assoc: true })) {
      wf.fai.push(opts.readFai === false ? { subject: ref.subject ?? '', recipients: 0, attachments: [], propCount: 0, nid: ref.nid } : walkMessage(await pst.readMessage(ref.nid), ref.nid));
    }
    for (const s of await f.subfolders()) await rec(s, [...path, s.name]);
  };
  await rec(await pst.rootFolder(), []);
  return out;
}
