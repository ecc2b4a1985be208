/**
 * Stable codes for everything the GXMT writer and reader report (fflate style: a named code plus a
 * human message table). Reader errors also name the gromox-import exception (`PG-xxxx`) that the
 * same defect would raise, so a report can be matched with what an admin sees from gromox.
 * Reference: shared/reference/gxmt-format.md §3.3.
 */

/** Codes of findings the writer emits while it serialises an object. */
export const WRITER_CODES = {
  'GXMT-PROP-TYPE-UNSUPPORTED': 'property type cannot be written to a GXMT stream (PT_NULL, PT_UNSPECIFIED, MV_INSTANCE or an unknown type); property skipped',
  'GXMT-PROP-ERROR-VALUE': 'property holds only an error code (PT_ERROR); property skipped',
  'GXMT-PROP-OBJECT': 'PT_OBJECT property outside an attachment\'s PR_ATTACH_DATA_OBJ; gromox refuses it; property skipped',
  'GXMT-PROP-BAD-VALUE': 'property value does not fit its type; property skipped',
  'GXMT-PROP-RESTRICTION': 'PT_SRESTRICTION value is not a well-formed RESTRICTION; property skipped',
  'GXMT-PROP-ACTIONS': 'PT_ACTIONS value is not a well-formed RULE_ACTIONS; property skipped',
  'GXMT-PROP-DUPLICATE': 'property occurs twice after conversion; the later value replaces the earlier one',
  'GXMT-STRING-NUL': 'string contains a NUL character; text after it is cut off',
  'GXMT-NAMEDPROP-NO-NAME': 'property id in the named range 0x8000-0xFFFE without a property name; property skipped',
  'GXMT-NAMEDPROP-NAME-TOO-LONG': 'named property name longer than 254 UTF-8 bytes or containing NUL; property skipped',
  'GXMT-NAMEDPROP-CONFLICT': 'a message encoded elsewhere (a parallel worker) gives a named property a different id than this stream did; message skipped',
  'GXMT-NAMEDPROP-EXHAUSTED': 'more than 32767 distinct named properties in one stream; property skipped',
  'GXMT-TOO-MANY-PROPS': 'more than 65535 properties in one property list; item skipped',
  'GXMT-TOO-MANY-ATTACHMENTS': 'more than 65535 attachments on one message; item skipped',
  'GXMT-TOO-MANY-RECIPIENTS': 'more than 4294967295 recipients; item skipped',
  'GXMT-FRAME-TOO-LARGE': 'serialised item is 4 GiB or larger, which the GXMT frame size cannot carry; item skipped',
  'GXMT-UNKNOWN-PARENT': 'parent folder was not written before this object; gromox would skip it; item skipped',
  'GXMT-RFC5322-NUL': 'original RFC 5322 text contains NUL bytes, which the stream cannot carry; written without it',
  'GXMT-RFC5322-DROPPED': 'GXMT0003 has no field for the original RFC 5322 text; it is not written',
} as const;

/** Codes of reader errors (thrown as GxmtError) and reader findings. */
export const READER_CODES = {
  'GXMT-SHORT-HEADER': 'stream ends inside the header or the folder/name maps',
  'GXMT-BAD-MAGIC': 'not a GXMT stream: the GXMTnnnn signature is missing',
  'GXMT-BAD-VERSION': 'unsupported GXMT version',
  'GXMT-FOLDER-MAP': 'folder map section is malformed',
  'GXMT-NAME-MAP': 'named-property map section is malformed',
  'GXMT-SHORT-FRAME': 'stream ends inside a frame',
  'GXMT-FRAME-SIZE': 'frame size is impossible (smaller than its header, or 4 GiB or more)',
  'GXMT-TRUNCATED': 'a structure runs past the end of its frame or section',
  'GXMT-PROP-TYPE': 'property type that the GXMT encoding does not define',
  'GXMT-PROPNAME': 'PROPERTY_NAME is malformed',
  'GXMT-RESTRICTION': 'RESTRICTION value is malformed',
  'GXMT-ACTIONS': 'RULE_ACTIONS value is malformed',
  'GXMT-SVREID': 'SVREID value is malformed',
  'GXMT-BAD-OBJTYPE': 'frame of an unknown object type',
  'GXMT-NID-RESERVED': 'frame uses the reserved id 0 or 0xFFFFFFFFFFFFFFFF',
  'GXMT-PARENT-UNKNOWN': 'object whose parent folder was neither in the folder map nor written before it',
  'GXMT-NAMEDPROP-UNDEFINED': 'named property used before any definition of its id',
  'GXMT-NAMEDPROP-TYPE-MISMATCH': 'named property defined only under a different property type; gromox does not match it',
  'GXMT-NAMEDPROP-REDEFINED': 'property id defined again with a different name',
  'GXMT-TRAILING-BYTES': 'bytes left over inside a frame after its payload',
  'GXMT-STRING-NOT-UTF8': 'string is not valid UTF-8',
} as const;

export type GxmtWriterCode = keyof typeof WRITER_CODES;
export type GxmtReaderCode = keyof typeof READER_CODES;

/** A fatal decoding error: where (absolute byte offset) and what, plus gromox's own code. */
export class GxmtError extends Error {
  override readonly name = 'GxmtError';
  constructor(
    readonly code: GxmtReaderCode,
    readonly offset: number,
    detail: string,
    /** The gromox-import exception code for the same failure, e.g. `PG-1119`. */
    readonly pg?: string,
  ) {
    super(`${code} at offset ${offset}${pg ? ` (${pg})` : ''}: ${detail}`);
  }
}
