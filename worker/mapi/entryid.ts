/**
 * One-off entry IDs ([MS-OXCDATA] 2.2.5.1 "One-Off EntryID"): the address-book-free way to name a
 * recipient, used for recipients and senders of converted mail and for distribution-list members.
 * A browser converter has no directory to resolve addresses against, so every address becomes one
 * of these. The layout follows the spec; the flag choice (MAPI_ONE_OFF_UNICODE |
 * MAPI_ONE_OFF_NO_RICH_INFO = 0x8001, UTF-16LE strings) is the one gromox writes, so streams stay
 * byte-comparable with gromox-eml2mt --oneoff.
 *
 * https://learn.microsoft.com/openspecs/exchange_server_protocols/ms-oxcdata/b1ad3b5d-5e7c-4d4b-8fe8-ab4f31d7fb82
 */

/** MUIDOneOffEntryID {812B1FA4-BEA3-1019-9D6E-00DD010F5402}, as the 16 bytes stored in the entry ID. */
export const MUID_ONE_OFF_ENTRYID = Uint8Array.of(
  0x81, 0x2b, 0x1f, 0xa4, 0xbe, 0xa3, 0x10, 0x19, 0x9d, 0x6e, 0x00, 0xdd, 0x01, 0x0f, 0x54, 0x02,
);

/** OneOffEntryId flags ([MS-OXCDATA] 2.2.5.1): the "U" bit, strings are UTF-16LE. */
export const MAPI_ONE_OFF_UNICODE = 0x8000;
/** The "L" bit: the recipient does not take TNEF (rich information). */
export const MAPI_ONE_OFF_NO_RICH_INFO = 0x0001;
/** The "M" (MIME format) bits, [MS-OXCDATA] 2.2.5.1 Format field. */
export const MAPI_ONE_OFF_FORMAT_MASK = 0x7e00;

export interface OneOffEntryId {
  displayName: string;
  addressType: string;
  emailAddress: string;
  /** The 16-bit flags word (e.g. 0x8001). */
  flags: number;
}

export interface OneOffOptions {
  /**
   * Flags word; default MAPI_ONE_OFF_UNICODE | MAPI_ONE_OFF_NO_RICH_INFO (what gromox writes).
   * Without MAPI_ONE_OFF_UNICODE the strings are written as 8-bit (code page 1252-compatible
   * Latin-1; characters above U+00FF become '?').
   */
  flags?: number;
}

const HEADER = 4 + 16 + 2 + 2;

/**
 * Encode a one-off entry ID: u32 Flags 0, ProviderUID, u16 Version 0, u16 flags, then display
 * name, address type and e-mail address, each NUL-terminated.
 */
export function encodeOneOffEntryId(
  displayName: string,
  addressType: string,
  emailAddress: string,
  options: OneOffOptions = {},
): Uint8Array {
  const flags = (options.flags ?? MAPI_ONE_OFF_UNICODE | MAPI_ONE_OFF_NO_RICH_INFO) & 0xffff;
  const unicode = (flags & MAPI_ONE_OFF_UNICODE) !== 0;
  const strings = [displayName, addressType, emailAddress];
  const unit = unicode ? 2 : 1;
  let size = HEADER;
  for (const s of strings) size += (s.length + 1) * unit;
  const out = new Uint8Array(size);
  out.set(MUID_ONE_OFF_ENTRYID, 4);
  out[22] = flags & 0xff;
  out[23] = flags >>> 8;
  let at = HEADER;
  for (const s of strings) {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (unicode) {
        out[at++] = c & 0xff;
        out[at++] = c >>> 8;
      } else {
        out[at++] = c > 0xff ? 0x3f : c;
      }
    }
    at += unit; // NUL terminator (already zero)
  }
  return out;
}

/** True if `b` starts like a one-off entry ID (Flags 0 and the one-off provider UID). */
export function isOneOffEntryId(b: Uint8Array): boolean {
  if (b.length < HEADER) return false;
  for (let i = 0; i < 4; i++) if (b[i] !== 0) return false;
  for (let i = 0; i < 16; i++) if (b[4 + i] !== MUID_ONE_OFF_ENTRYID[i]) return false;
  return true;
}

/** Decode a one-off entry ID; undefined if it is not one or a string is not terminated. */
export function decodeOneOffEntryId(b: Uint8Array): OneOffEntryId | undefined {
  if (!isOneOffEntryId(b)) return undefined;
  const flags = b[22]! | (b[23]! << 8);
  const unicode = (flags & MAPI_ONE_OFF_UNICODE) !== 0;
  let at = HEADER;
  const strings: string[] = [];
  for (let k = 0; k < 3; k++) {
    let s = '';
    let done = false;
    if (unicode) {
      for (; at + 1 < b.length; at += 2) {
        const c = b[at]! | (b[at + 1]! << 8);
        if (c === 0) {
          at += 2;
          done = true;
          break;
        }
        s += String.fromCharCode(c);
      }
    } else {
      for (; at < b.length; at++) {
        const c = b[at]!;
        if (c === 0) {
          at++;
          done = true;
          break;
        }
        s += String.fromCharCode(c);
      }
    }
    if (!done) return undefined;
    strings.push(s);
  }
  return { displayName: strings[0]!, addressType: strings[1]!, emailAddress: strings[2]!, flags };
}
