/**
 * Numbers of the GXMT stream format (shared/reference/gxmt-format.md §1, §6): object types,
 * reserved ids and the built-in folder GCVs a folder map may target.
 */

export type GxmtVersion = 3 | 4 | 5;

/** Frame object types (§1.5). */
export const MAPI_STORE = 1;
export const MAPI_FOLDER = 3;
export const MAPI_MESSAGE = 5;
export const GXMT_NAMEDPROP = 250;

/** Folder-map target meaning "wherever gromox-import -B says" (§1.3). */
export const MAILBOX_FID_UNANCHORED = 0xffff_ffff_ffff_ffffn;

/** PERMISSION_DATA flag gromox accepts (§1.6). */
export const ROW_ADD = 1;

/** Built-in private-store folder GCVs (§1.3, include/gromox/mapi_types.hpp). */
export const PRIVATE_FID = {
  ROOT: 0x01n,
  DEFERRED_ACTION: 0x02n,
  SPOOLER_QUEUE: 0x03n,
  SHORTCUTS: 0x04n,
  FINDER: 0x05n,
  VIEWS: 0x06n,
  COMMON_VIEWS: 0x07n,
  SCHEDULE: 0x08n,
  IPMSUBTREE: 0x09n,
  SENT_ITEMS: 0x0an,
  DELETED_ITEMS: 0x0bn,
  OUTBOX: 0x0cn,
  INBOX: 0x0dn,
  DRAFT: 0x0en,
  CALENDAR: 0x0fn,
  JOURNAL: 0x10n,
  NOTES: 0x11n,
  TASKS: 0x12n,
  CONTACTS: 0x13n,
  JUNK: 0x17n,
} as const;

/** Limits of §2.11. */
export const MAX_PROPS = 0xffff;
export const MAX_ATTACHMENTS = 0xffff;
export const MAX_FRAME_BODY = 0xffff_ffff; // body must be < 4 GiB (u32 offsets in EXT_PULL)
export const MAX_NAME_BYTES = 254;
export const NAMED_ID_FIRST = 0x8000;
export const NAMED_ID_LAST = 0xfffe;

export const magicFor = (v: GxmtVersion): string => `GXMT000${v}`;
