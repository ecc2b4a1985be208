import { describe, expect, it } from 'vitest';
import {
  decodeOneOffEntryId,
  encodeOneOffEntryId,
  isOneOffEntryId,
  MAPI_ONE_OFF_NO_RICH_INFO,
} from '../worker/mapi/entryid.ts';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('one-off entry id ([MS-OXCDATA] 2.2.5.1)', () => {
  it('encodes as gromox does: flags 0, provider UID, version 0, 0x8001, UTF-16LE strings', () => {
    const b = encodeOneOffEntryId('Jö', 'SMTP', 'a@b');
    expect(hex(b)).toBe(
      '00000000' + '812b1fa4bea310199d6e00dd010f5402' + '0000' + '0180' +
        '4a00f6000000' + '53004d00540050000000' + '610040006200' + '0000',
    );
    expect(decodeOneOffEntryId(b)).toEqual({ displayName: 'Jö', addressType: 'SMTP', emailAddress: 'a@b', flags: 0x8001 });
  });
  it('writes 8-bit strings without the unicode flag', () => {
    const b = encodeOneOffEntryId('A€', 'SMTP', 'x', { flags: MAPI_ONE_OFF_NO_RICH_INFO });
    expect(hex(b.subarray(22))).toBe('0100' + '413f00' + '534d545000' + '7800');
    expect(decodeOneOffEntryId(b)?.displayName).toBe('A?');
  });
  it('rejects other entry ids and truncated strings', () => {
    const b = encodeOneOffEntryId('n', 'SMTP', 'a@b');
    expect(isOneOffEntryId(b)).toBe(true);
    expect(decodeOneOffEntryId(b.subarray(0, b.length - 1))).toBeUndefined();
    const c = b.slice();
    c[5] ^= 1;
    expect(decodeOneOffEntryId(c)).toBeUndefined();
  });
});
