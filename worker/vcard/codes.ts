/**
 * Finding codes of the vCard reader and mapper, with the plain-language text reports show.
 * Stable strings: tests and users match on them.
 */
import type { Finding, Severity } from '../findings.ts';

export const VCF_CODES = {
  'VCF-JUNK': ['warning', 'text outside BEGIN:VCARD … END:VCARD was ignored'],
  'VCF-BAD-LINE': ['warning', 'a line inside a card is not a vCard content line and was ignored'],
  'VCF-LINE-TOO-LONG': ['error', 'a line is longer than the limit; the card was skipped'],
  'VCF-UNTERMINATED': ['warning', 'the file ended inside a card (no END:VCARD); the card was converted as far as it went'],
  'VCF-END-WITHOUT-BEGIN': ['warning', 'END:VCARD without a matching BEGIN:VCARD was ignored'],
  'VCF-NESTED-CARD': ['info', 'a card nested inside another (vCard 2.1 AGENT) was not converted separately'],
  'VCF-NO-VERSION': ['warning', 'the card has no VERSION; it was read as vCard 3.0'],
  'VCF-BAD-VERSION': ['warning', 'the card has a VERSION other than 2.1, 3.0 or 4.0; it was read as vCard 3.0'],
  'VCF-CHARSET': ['info', 'a value was not valid in its declared charset (or UTF-8); a fallback code page was used'],
  'VCF-BAD-BASE64': ['warning', 'a base64 value contained bytes outside the base64 alphabet; they were skipped'],
  'VCF-PHOTO-SKIPPED': ['info', 'a PHOTO was not stored (external URI, not an image, empty, or a second photo)'],
  'VCF-BAD-DATE': ['info', 'a date could not be represented (no year, or not a date) and was not stored'],
  'VCF-EMAIL-OVERFLOW': ['info', 'more than three e-mail addresses; Outlook contacts hold three, the rest were dropped'],
  'VCF-PHONE-OVERFLOW': ['info', 'a telephone number had no free slot of its kind and was dropped'],
  'VCF-MEMBER-UNRESOLVED': ['warning', 'a group member could not be turned into an address and was dropped'],
  'VCF-EMPTY-CARD': ['warning', 'the card has no convertible content and was skipped'],
  'VCF-PEDANTIC-REJECT': ['warning', 'pedantic mode (-P): the card has a property this converter does not map and was skipped'],
  'VCF-MAP-FAILED': ['error', 'the card could not be mapped and was skipped'],
  'VCF-STRICT-ABORT': ['error', 'strict mode: a card failed, so nothing from this file is emitted (gromox all-or-nothing)'],
} as const satisfies Record<string, readonly [Severity, string]>;

export type VcfCode = keyof typeof VCF_CODES;

export function vcfFinding(code: VcfCode, extra: Partial<Finding> & { detail?: string } = {}): Finding {
  const [severity, text] = VCF_CODES[code];
  const { detail, ...rest } = extra;
  return { code, severity, message: detail ? `${text}: ${detail}` : text, ...rest };
}
