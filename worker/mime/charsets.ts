/**
 * Charset bookkeeping for the MIME mapping: the charset → Windows code page table behind
 * PR_INTERNET_CPID (gromox keeps an equivalent case-insensitive table; a label missing from it
 * gives 0 = CP_ACP, reference §2.5), body text decoding with the undeclared-8-bit fallback, the
 * media type → extension table for unnamed attachments, and Content-Language → LCID.
 */
import { decodeCharset, decoderForLabel, codepageLabel } from '../text/codepage.ts';

const CPID: Record<string, number> = {
  'utf-7': 65000, 'unicode-1-1-utf-7': 65000, 'utf-8': 65001, 'us-ascii': 20127, ascii: 20127,
  'iso-8859-1': 28591, 'iso-8859-2': 28592, 'iso-8859-3': 28593, 'iso-8859-4': 28594, 'iso-8859-5': 28595,
  'iso-8859-6': 28596, 'iso-8859-7': 28597, 'iso-8859-8': 28598, 'iso-8859-8-i': 38598, 'iso-8859-9': 28599,
  'iso-8859-13': 28603, 'iso-8859-15': 28605, 'windows-874': 874, 'windows-1250': 1250, 'windows-1251': 1251,
  'windows-1252': 1252, 'windows-1253': 1253, 'windows-1254': 1254, 'windows-1255': 1255, 'windows-1256': 1256,
  'windows-1257': 1257, 'windows-1258': 1258, 'koi8-r': 20866, 'koi8-u': 21866, 'iso-2022-jp': 50220,
  'shift_jis': 932, 'shift-jis': 932, 'x-sjis': 932, 'euc-jp': 51932, gb2312: 936, gbk: 936, gb18030: 54936,
  big5: 950, 'euc-kr': 51949, cp949: 949, 'iso-2022-kr': 50225, 'hz-gb-2312': 52936, 'utf-16': 1200,
  'utf-16le': 1200, 'utf-16be': 1201, 'x-mac-cyrillic': 10007, macintosh: 10000, ibm866: 866, cp866: 866,
  'tis-620': 874, 'iso-8859-10': 28600, 'iso-8859-11': 874, 'iso-8859-14': 28604, 'iso-8859-16': 28606,
};

/** PR_INTERNET_CPID for a charset label (undefined label = us-ascii); 0 when unknown. */
export function cpidForCharset(label: string | undefined): number {
  return CPID[(label ?? 'us-ascii').trim().toLowerCase()] ?? 0;
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * Body text by charset. Undeclared, us-ascii or utf-8 bytes that are not valid UTF-8 are read in
 * the fallback code page (gromox turns them into '?', quirk 9). `fallback` tells the caller.
 */
export function decodeBodyText(bytes: Uint8Array, charset: string | undefined, fallbackCodepage = 1252): { text: string; fallback: boolean } {
  const label = (charset ?? '').trim().toLowerCase().replace(/^"|"$/g, '');
  const fb = codepageLabel(fallbackCodepage) ?? 'windows-1252';
  if (label === '' || label === 'us-ascii' || label === 'ascii' || label === 'utf-8' || label === 'utf8' || label === 'unicode') {
    try {
      return { text: utf8Fatal.decode(bytes), fallback: false };
    } catch {
      return { text: decodeCharset(bytes, fb).text, fallback: true };
    }
  }
  let l = label;
  if (l.startsWith('ks_c_5601') || l === 'csksc56011987') l = 'euc-kr';
  if (l === 'gb2312') l = 'gbk';
  if (decoderForLabel(l)) {
    const r = decodeCharset(bytes, l);
    return { text: r.text, fallback: r.fallback };
  }
  // unknown label: UTF-8 if it validates, else the fallback code page
  try {
    return { text: utf8Fatal.decode(bytes), fallback: true };
  } catch {
    return { text: decodeCharset(bytes, fb).text, fallback: true };
  }
}

const EXT: Record<string, string> = {
  'text/plain': '.txt', 'text/html': '.htm', 'text/richtext': '.rtx', 'application/postscript': '.ai', 'text/enriched': '.txt', 'text/calendar': '.ics', 'text/directory': '.vcf',
  'text/vcard': '.vcf', 'text/x-vcard': '.vcf', 'text/csv': '.csv', 'text/xml': '.xml', 'text/rtf': '.rtf',
  'image/jpeg': '.jpg', 'image/jpg': '.jpg', 'image/pjpeg': '.jpg', 'image/png': '.png', 'image/x-png': '.png',
  'image/gif': '.gif', 'image/bmp': '.bmp', 'image/tiff': '.tif', 'image/svg+xml': '.svg', 'image/webp': '.webp',
  'application/pdf': '.pdf', 'application/zip': '.zip', 'application/x-gzip': '.gz', 'application/gzip': '.gz',
  'application/x-tar': '.tar', 'application/msword': '.doc', 'application/vnd.ms-excel': '.xls',
  'application/vnd.ms-powerpoint': '.ppt', 'application/rtf': '.rtf', 'application/xml': '.xml',
  'application/pgp-signature': '.asc', 'application/pgp-encrypted': '.asc', 'application/pkcs7-signature': '.p7s',
  'application/x-pkcs7-signature': '.p7s', 'application/pkcs7-mime': '.p7m', 'application/x-pkcs7-mime': '.p7m',
  'application/ms-tnef': '.dat', 'application/mac-binhex40': '.hqx', 'message/rfc822': '.eml',
  'message/delivery-status': '.txt', 'message/disposition-notification': '.txt', 'message/feedback-report': '.txt',
  'audio/mpeg': '.mp3', 'audio/wav': '.wav', 'video/mp4': '.mp4', 'application/json': '.json',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': '.xlsx',
};

/** Extension (with dot) for an unnamed attachment of `type`; `.dat` when unknown. */
export function extensionForType(type: string): string {
  return EXT[type] ?? '.dat';
}

const LCID: Record<string, number> = {
  'ar-sa': 1025, 'bg-bg': 1026, 'ca-es': 1027, 'zh-tw': 1028, 'cs-cz': 1029, 'da-dk': 1030, 'de-de': 1031,
  'el-gr': 1032, 'en-us': 1033, 'es-es': 3082, 'fi-fi': 1035, 'fr-fr': 1036, 'he-il': 1037, 'hu-hu': 1038,
  'is-is': 1039, 'it-it': 1040, 'ja-jp': 1041, 'ko-kr': 1042, 'nl-nl': 1043, 'nb-no': 1044, 'pl-pl': 1045,
  'pt-br': 1046, 'ro-ro': 1048, 'ru-ru': 1049, 'hr-hr': 1050, 'sk-sk': 1051, 'sv-se': 1053, 'th-th': 1054,
  'tr-tr': 1055, 'uk-ua': 1058, 'sl-si': 1060, 'et-ee': 1061, 'lv-lv': 1062, 'lt-lt': 1063, 'vi-vn': 1066,
  'zh-cn': 2052, 'de-ch': 2055, 'en-gb': 2057, 'es-mx': 2058, 'fr-be': 2060, 'it-ch': 2064, 'nl-be': 2067,
  'pt-pt': 2070, 'sr-latn-cs': 2074, 'de-at': 3079, 'zh-hk': 3076, 'en-au': 3081, 'fr-ca': 3084, 'en-ca': 4105,
  'fr-ch': 4108, 'en-nz': 5129, 'en-ie': 6153, 'en-za': 7177, 'en-in': 16393, 'zh-sg': 4100,
  ar: 1025, bg: 1026, ca: 1027, cs: 1029, da: 1030, de: 1031, el: 1032, en: 1033, es: 3082, fi: 1035, fr: 1036,
  he: 1037, hu: 1038, is: 1039, it: 1040, ja: 1041, ko: 1042, nl: 1043, nb: 1044, no: 1044, pl: 1045, pt: 2070,
  ro: 1048, ru: 1049, hr: 1050, sk: 1051, sv: 1053, th: 1054, tr: 1055, uk: 1058, sl: 1060, et: 1061, lv: 1062,
  lt: 1063, vi: 1066, zh: 2052,
};

/** LCID for a Content-Language tag, if known. */
export function lcidForLanguage(tag: string): number | undefined {
  const t = tag.trim().split(/[,\s]/)[0]!.toLowerCase();
  return LCID[t];
}
