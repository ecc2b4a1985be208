/**
 * Where eml2mt/mbox2mt/tnef2mt deliberately differ from gromox-eml2mt 3.10 (reference
 * mime-ical-vcard.md §6 quirk table and observations from the differential against
 * corpus/gxmt-reference/eml). The differential test names one of these keys for every difference
 * it accepts; the README lists them. GAPS are differences that are not improvements: places where we
 * do not (yet) reproduce gromox and say so.
 */
export const MIME_DELIBERATE_DIFFERENCES = {
  'clock-injected': 'quirk 11: a message without Date gets the run\'s clock (injectable); gromox uses its own "now", so those times never match',
  'string8-as-unicode': '8-bit header values, file names and bodies are decoded (UTF-8, else the --codepage fallback) and written as PT_UNICODE; gromox writes the raw bytes as PT_STRING8 (_A props) or turns them into "?"/U+FFFD (quirk 9)',
  'charset-fallback': 'quirk 9: undeclared or mislabelled 8-bit text that is not UTF-8 is read in the fallback code page (default windows-1252) instead of becoming "?"',
  'charset-superset': 'GB2312 text is decoded as GBK (the WHATWG superset), so characters outside GB2312 survive; gromox\'s iconv garbles them',
  'rfc6532-addresses': 'raw UTF-8 addresses (RFC 6532) are kept as UTF-8; gromox re-encodes them as RFC 2047/punycode and mangles the display names',
  'no-default-domain': 'an address without a domain stays as written; gromox appends its host\'s default domain (here "@vm"), which is machine-dependent',
  'address-list-parsing': 'address lists are parsed per RFC 5322 (several bare addresses → several mailboxes, quoted local parts unquoted, the display name is the phrase); gromox/vmime mixes name and address of different mailboxes',
  'derived-address-blobs': 'entry IDs, search keys and the Reply-To FLATENTRYLIST are built from the (different) names/addresses above',
  'mbox-split': 'quirk 10: a "From " line splits an mbox only at the start, after a blank line, or when it looks like an envelope line; gromox splits on any "From " line in a body',
  'mboxrd-unquote': 'quirk 10: ">From " lines are unquoted (mboxrd/mboxo); gromox keeps the quoting. A body delimited by a verified Content-Length (mboxcl2) is taken verbatim',
  'mbox-separator': 'the blank line that separates mbox messages is not part of the message (RFC 4155); gromox keeps it in the body and the RFC 5322 text',
  'ole-msg-skipped': 'an Outlook .msg (OLE file) given as EML is skipped with a finding (MIME-OLE-MSG); gromox emits a garbage note made of its first 8 bytes',
  'rfc5322-nul': 'a message holding NUL bytes gets an empty RFC 5322 field (with a finding); gromox truncates the original at the first NUL',
  'tnef-lenient-order': 'TNEF attributes are read in any order; gromox rejects a stream with an unexpected attribute and emits an empty note (two-files.tnef)',
  'tnef-name-case': 'string-named properties from TNEF keep their case as stored; gromox lower-cases them',
  'tnef-ole-data': 'OLE attachments keep their data (PR_ATTACH_DATA_OBJ); gromox drops it',
  'tnef-attach-encoding': 'PR_ATTACH_ENCODING is the MacBinary OID only when attAttachRendData says FileDataMacBinary ([MS-OXTNEF]); gromox sets it for plain file attachments',
  'base64-lenient': 'a base64 body with misplaced padding decodes every complete group; gromox drops the last bytes',
  'uuencode-decoded': 'x-uuencode bodies are decoded; gromox stores them raw',
  'enriched-to-html': 'text/enriched becomes a well-formed UTF-8 HTML document; gromox writes a buffer with stray NUL bytes',
  'untyped-text': 'a Content-Type without subtype ("text") is read as text/plain and becomes the body; gromox makes it an attachment',
  'multipart-parsed': 'multiparts gromox cannot split (a one-character boundary, message/partial wrappers, broken folding in embedded headers) are parsed; gromox stores them as one opaque attachment or loses the body',
  'vcard-attachments': 'quirk 8: text/vcard and text/x-vcard attachments become embedded contacts like text/directory (gromox converts only text/directory)',
  'to-do-title': 'quirk 6: X-Message-Flag writes the subject to PidLidToDoTitle; gromox writes a second PidLidFlagRequest',
  'smime-raw-bytes': 'the SMIME.p7m of a multipart/signed mail holds the signed body byte for byte; gromox re-serialises it (delimiter lines get CRLF)',
  'date-parsed': 'dates gromox cannot parse (obsolete forms) are read; gromox writes 0xFFFFFFFFFFFFFFFF',
  'empty-embedded-headers': 'an empty message/rfc822 part gives an embedded message without PR_TRANSPORT_MESSAGE_HEADERS; gromox writes "\\r\\n"',
} as const;

export const MIME_KNOWN_GAPS = {
  'html-to-text': 'PR_BODY derived from HTML uses our own small renderer; whitespace differs from gromox\'s',
  'extension-table': 'extensions of generated attachment names (attachmentN.ext) come from our own small MIME table (e.g. .jpg vs gromox .jpe, .txt vs .dat)',
  'ical-mapping': 'text/calendar bodies go through the iCal mapping of worker/ical (its own deliberate differences: time-zone blobs, attendee names, URL attachments)',
  'group-syntax': 'malformed group syntax ("Undisclosed-Recipient:@host;") yields a different address string',
} as const;

export type MimeDifference = keyof typeof MIME_DELIBERATE_DIFFERENCES | keyof typeof MIME_KNOWN_GAPS;
