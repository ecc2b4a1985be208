/**
 * The MAPI model every reader produces and every writer consumes: PST/OST, MIME, TNEF, iCal and
 * vCard readers build MessageContent; the GXMT writer serialises it. One shape for all inputs is
 * what makes the converters comparable with each other and with gromox.
 * Property types: [MS-OXCDATA] 2.11.1 https://learn.microsoft.com/openspecs/exchange_server_protocols/ms-oxcdata
 */

export const PT_UNSPECIFIED = 0x0000;
export const PT_NULL = 0x0001;
export const PT_SHORT = 0x0002;
export const PT_LONG = 0x0003;
export const PT_FLOAT = 0x0004;
export const PT_DOUBLE = 0x0005;
export const PT_CURRENCY = 0x0006;
export const PT_APPTIME = 0x0007;
export const PT_ERROR = 0x000a;
export const PT_BOOLEAN = 0x000b;
export const PT_OBJECT = 0x000d;
export const PT_I8 = 0x0014;
export const PT_STRING8 = 0x001e;
export const PT_UNICODE = 0x001f;
export const PT_SYSTIME = 0x0040;
export const PT_CLSID = 0x0048;
export const PT_SVREID = 0x00fb;
export const PT_SRESTRICTION = 0x00fd;
export const PT_ACTIONS = 0x00fe;
export const PT_BINARY = 0x0102;
export const MV_FLAG = 0x1000;
export const MV_INSTANCE = 0x2000;
export const PT_MV_SHORT = 0x1002;
export const PT_MV_LONG = 0x1003;
export const PT_MV_FLOAT = 0x1004;
export const PT_MV_DOUBLE = 0x1005;
export const PT_MV_CURRENCY = 0x1006;
export const PT_MV_APPTIME = 0x1007;
export const PT_MV_I8 = 0x1014;
export const PT_MV_STRING8 = 0x101e;
export const PT_MV_UNICODE = 0x101f;
export const PT_MV_SYSTIME = 0x1040;
export const PT_MV_CLSID = 0x1048;
export const PT_MV_BINARY = 0x1102;

export const propType = (tag: number): number => tag & 0xffff;
export const propId = (tag: number): number => (tag >>> 16) & 0xffff;
export const propTag = (id: number, type: number): number => (((id & 0xffff) << 16) | (type & 0xffff)) >>> 0;

/**
 * Value of a property, by PROP_TYPE(tag):
 * - PT_SHORT, PT_LONG, PT_ERROR: number, unsigned (as on the wire: u16/u32)
 * - PT_FLOAT, PT_DOUBLE, PT_APPTIME: number
 * - PT_CURRENCY, PT_I8: bigint (signed 64-bit); PT_SYSTIME: bigint FILETIME (100 ns since 1601, unsigned)
 * - PT_BOOLEAN: boolean
 * - PT_STRING8, PT_UNICODE: string (8-bit strings are decoded with their code page by the reader)
 * - PT_BINARY, PT_OBJECT, PT_SVREID, PT_SRESTRICTION, PT_ACTIONS: Uint8Array (raw bytes as stored)
 * - PT_CLSID: Uint8Array of 16 bytes in Microsoft byte order
 * - PT_MV_*: an array of the single-valued representation above
 * - PT_NULL, PT_UNSPECIFIED: null
 */
export type PropValue =
  | null
  | number
  | bigint
  | boolean
  | string
  | Uint8Array
  | number[]
  | bigint[]
  | string[]
  | Uint8Array[];

/** A named property's name: GUID plus numeric LID (MNID_ID) or string name (MNID_STRING). */
export interface PropertyName {
  /** Lower-case 8-4-4-4-12 form without braces, e.g. `00062008-0000-0000-c000-000000000046`. */
  guid: string;
  lid?: number;
  name?: string;
}

/**
 * One property. For named properties (id >= 0x8000) `name` is set and the id inside `tag` is only
 * meaningful to the source it came from; writers assign their own ids by name and keep the type.
 */
export interface Prop {
  tag: number;
  value: PropValue;
  name?: PropertyName;
}

/** [MS-OXCMSG] 2.2.1: a message with its recipient rows and attachments. */
export interface MessageContent {
  props: Prop[];
  recipients: Prop[][];
  attachments: AttachmentContent[];
}

/** [MS-OXCMSG] 2.2.2: an attachment's properties and, for ATTACH_EMBEDDED_MSG, the message inside. */
export interface AttachmentContent {
  props: Prop[];
  embedded?: MessageContent;
}

/** Well-known property-set GUIDs ([MS-OXPROPS] 1.3.2). */
export const PSETID = {
  Common: '00062008-0000-0000-c000-000000000046',
  Address: '00062004-0000-0000-c000-000000000046',
  Appointment: '00062002-0000-0000-c000-000000000046',
  Meeting: '6ed8da90-450b-101b-98da-00aa003f1305',
  Task: '00062003-0000-0000-c000-000000000046',
  Note: '0006200e-0000-0000-c000-000000000046',
  Log: '0006200a-0000-0000-c000-000000000046',
  Sharing: '00062040-0000-0000-c000-000000000046',
  PostRss: '00062041-0000-0000-c000-000000000046',
  UnifiedMessaging: '4442858e-a9e3-4e80-b900-317a210cc15b',
  AirSync: '71035549-0739-4dcb-9163-00f0580dbbdf',
  Messaging: '41f28f13-83f4-4114-a584-eedb5a6b0bff',
  CalendarAssistant: '11000e07-b51b-40d6-af21-caa85edab1d0',
  PS_MAPI: '00020328-0000-0000-c000-000000000046',
  PS_PUBLIC_STRINGS: '00020329-0000-0000-c000-000000000046',
  PS_INTERNET_HEADERS: '00020386-0000-0000-c000-000000000046',
} as const;

/** Convert a 16-byte GUID in Microsoft byte order to the model's string form. */
export function guidToString(b: Uint8Array, at = 0): string {
  const h = (i: number) => b[at + i]!.toString(16).padStart(2, '0');
  return (
    h(3) + h(2) + h(1) + h(0) + '-' + h(5) + h(4) + '-' + h(7) + h(6) + '-' + h(8) + h(9) + '-' +
    h(10) + h(11) + h(12) + h(13) + h(14) + h(15)
  );
}

/** Convert the model's GUID string to 16 bytes in Microsoft byte order. */
export function guidToBytes(s: string): Uint8Array {
  const hex = s.replace(/[{}-]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a GUID: ${s}`);
  const x = (i: number) => parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return Uint8Array.from([x(3), x(2), x(1), x(0), x(5), x(4), x(7), x(6), x(8), x(9), x(10), x(11), x(12), x(13), x(14), x(15)]);
}

/** Find a property by tag (exact type) in a list. */
export function getProp(props: readonly Prop[], tag: number): Prop | undefined {
  for (const p of props) if (p.tag === tag && !p.name) return p;
  return undefined;
}
