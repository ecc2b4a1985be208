/**
 * Finding codes of the mail converters (MIME, mbox, TNEF) with their plain-language meaning, so
 * reports and the UI can explain a code without reading the source. Every code a module in
 * worker/mime, worker/mbox, worker/tnef or worker/convert/{eml,mbox,tnef}.ts emits is listed here
 * (test/mime.test.ts checks that).
 */
export const MAIL_CODES: Record<string, string> = {
  'MIME-BAD-BASE64': 'a base64 body holds bytes outside the alphabet; they were skipped',
  'MIME-BAD-CALENDAR': 'a text/calendar body could not be converted; it was kept as an attachment',
  'MIME-BAD-DATE': 'the Date header could not be parsed; the submit time is the run\'s clock',
  'MIME-BAD-EMBEDDED': 'an attached message could not be parsed; it was kept as a file attachment',
  'MIME-BAD-TNEF': 'a winmail.dat part is not valid TNEF; it was kept as an ordinary attachment',
  'MIME-CHARSET-FALLBACK': 'text did not decode in its declared (or undeclared) charset and was read with the fallback code page',
  'MIME-CONVERT-FAILED': 'the message could not be converted; it was skipped',
  'MIME-DECAP': '--decap: the requested attachment is not an embedded message; the item was skipped',
  'MIME-EMBED-TOO-DEEP': 'attached messages nest deeper than 10 levels; the deeper ones stay file attachments',
  'MIME-EMPTY': 'the input file is empty; skipped',
  'MIME-HEADER-TOO-LONG': 'a header block is longer than the limit; the rest is treated as body',
  'MIME-NO-BOUNDARY': 'a multipart has no boundary parameter; it is kept as one part',
  'MIME-NO-CLOSE-DELIMITER': 'a multipart is not closed by its final delimiter (harmless)',
  'MIME-NO-DELIMITER': 'a multipart body contains none of its delimiter lines; it is kept as one part',
  'MIME-OLE-MSG': 'the input is an Outlook .msg (OLE compound file), not an RFC 5322 message; skipped',
  'MIME-RFC5322-NUL': 'the message contains NUL bytes; the MT stream\'s RFC 5322 field was left empty',
  'MIME-TOO-DEEP': 'multiparts nest deeper than the parser limit; the deeper ones are kept as one part',
  'MIME-TOO-LARGE': 'the message is larger than the in-memory limit; skipped',
  'MBOX-EMPTY-MESSAGE': 'an mbox entry is empty; skipped',
  'MBOX-NO-ENVELOPE': 'the mbox does not start with a "From " line; its first message has no envelope',
  'MBOX-NO-MESSAGES': 'no messages were found in the mbox',
  'MBOX-PSEUDO-MESSAGE': "Alpine's X-IMAP folder-state message was dropped",
  'TNEF-BAD-EMBEDDED': 'an embedded-message attachment in TNEF is not a TNEF stream; its data was kept',
  'TNEF-BAD-LEVEL': 'a TNEF attribute has an unknown level; it was skipped',
  'TNEF-CHECKSUM': 'a TNEF attribute checksum does not match; the value was used anyway',
  'TNEF-SIGNATURE': 'the file is not a TNEF stream (signature 0x223E9F78 missing); skipped',
  'TNEF-TOO-LARGE': 'the TNEF file is larger than the in-memory limit; skipped',
  'TNEF-TRUNCATED': 'the TNEF stream breaks off; the attributes before the break were used',
};
