/**
 * Windows code pages and MIME charset labels to text. PST PT_STRING8 values, TNEF attributes and
 * MIME parts all name their encoding differently; everything goes through TextDecoder (which Node
 * and browsers both ship with the WHATWG encodings), with a recorded fallback when a label is
 * unknown or the bytes do not fit.
 */

/** Windows code page number → WHATWG encoding label ([MS-OXCMSG] PidTagMessageCodepage values). */
const CODEPAGES: Record<number, string> = {
  708: 'iso-8859-6',
  720: 'iso-8859-6',
  866: 'ibm866',
  874: 'windows-874',
  932: 'shift_jis',
  936: 'gbk',
  949: 'euc-kr',
  950: 'big5',
  1200: 'utf-16le',
  1201: 'utf-16be',
  1250: 'windows-1250',
  1251: 'windows-1251',
  1252: 'windows-1252',
  1253: 'windows-1253',
  1254: 'windows-1254',
  1255: 'windows-1255',
  1256: 'windows-1256',
  1257: 'windows-1257',
  1258: 'windows-1258',
  10000: 'macintosh',
  10007: 'x-mac-cyrillic',
  20127: 'us-ascii',
  20866: 'koi8-r',
  20932: 'euc-jp',
  20936: 'gb2312',
  21866: 'koi8-u',
  28591: 'iso-8859-1',
  28592: 'iso-8859-2',
  28593: 'iso-8859-3',
  28594: 'iso-8859-4',
  28595: 'iso-8859-5',
  28596: 'iso-8859-6',
  28597: 'iso-8859-7',
  28598: 'iso-8859-8',
  28599: 'iso-8859-9',
  28603: 'iso-8859-13',
  28605: 'iso-8859-15',
  38598: 'iso-8859-8-i',
  50220: 'iso-2022-jp',
  50221: 'iso-2022-jp',
  50222: 'iso-2022-jp',
  50225: 'iso-2022-kr',
  51932: 'euc-jp',
  51936: 'gbk',
  51949: 'euc-kr',
  52936: 'hz-gb-2312',
  54936: 'gb18030',
  65000: 'utf-7',
  65001: 'utf-8',
};

/** Instance type spelled so it resolves under both the WebWorker lib and Node's globals. */
type Decoder = InstanceType<typeof TextDecoder>;

const cache = new Map<string, Decoder | null>();

/** A decoder for a WHATWG/MIME charset label, or undefined if the platform does not know it. */
export function decoderForLabel(label: string, fatal = false): Decoder | undefined {
  const key = label.trim().toLowerCase() + (fatal ? '!' : '');
  let d = cache.get(key);
  if (d === undefined) {
    try {
      d = new TextDecoder(label.trim(), { fatal });
    } catch {
      d = null;
    }
    cache.set(key, d);
  }
  return d ?? undefined;
}

/** The WHATWG label for a Windows code page, if known. */
export function codepageLabel(cp: number): string | undefined {
  return CODEPAGES[cp];
}

/** The Windows code page for a MIME charset label, if known (for PR_INTERNET_CPID). */
export function codepageForLabel(label: string): number | undefined {
  const want = decoderForLabel(label)?.encoding;
  if (!want) return undefined;
  if (want === 'utf-8') return 65001;
  for (const [cp, l] of Object.entries(CODEPAGES)) {
    if (decoderForLabel(l)?.encoding === want) return Number(cp);
  }
  return undefined;
}

export interface DecodeResult {
  text: string;
  /** True when the requested encoding was unknown or the bytes did not fit it and a fallback was used. */
  fallback: boolean;
  /** The encoding actually used (WHATWG name). */
  encoding: string;
}

/**
 * Decode 8-bit text in code page `cp`. Bytes that are not valid in it are decoded leniently
 * (replacement characters) and `fallback` is set; an unknown code page falls back to windows-1252.
 */
export function decodeCodepage(bytes: Uint8Array, cp: number): DecodeResult {
  const label = CODEPAGES[cp];
  const strict = label ? decoderForLabel(label, true) : undefined;
  if (strict) {
    try {
      return { text: strict.decode(bytes), fallback: false, encoding: strict.encoding };
    } catch {
      const lenient = decoderForLabel(label!)!;
      return { text: lenient.decode(bytes), fallback: true, encoding: lenient.encoding };
    }
  }
  const d = decoderForLabel('windows-1252')!;
  return { text: d.decode(bytes), fallback: true, encoding: d.encoding };
}

/** Decode with a MIME charset label, falling back to windows-1252 (then UTF-8 if it is valid). */
export function decodeCharset(bytes: Uint8Array, label: string | undefined): DecodeResult {
  if (label) {
    const strict = decoderForLabel(label, true);
    if (strict) {
      try {
        return { text: strict.decode(bytes), fallback: false, encoding: strict.encoding };
      } catch {
        const lenient = decoderForLabel(label)!;
        return { text: lenient.decode(bytes), fallback: true, encoding: lenient.encoding };
      }
    }
  }
  const utf8 = decoderForLabel('utf-8', true)!;
  try {
    return { text: utf8.decode(bytes), fallback: label !== undefined, encoding: 'utf-8' };
  } catch {
    const d = decoderForLabel('windows-1252')!;
    return { text: d.decode(bytes), fallback: true, encoding: d.encoding };
  }
}
