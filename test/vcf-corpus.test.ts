/**
 * Every VCF of the shared corpus through vcfItems → GXMT writer → strict reader, and a
 * differential against the streams gromox-vcf2mt 3.10 wrote (corpus/gxmt-reference/vcf/): per
 * message, named properties compared by name. Each allowed difference is named after an entry of
 * DELIBERATE_DIFFERENCES; anything else fails.
 */
import { expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bytesSource } from '../worker/io/byte-source.ts';
import { MemorySink } from '../worker/io/sink.ts';
import type { Finding } from '../worker/findings.ts';
import type { Prop } from '../worker/mapi/types.ts';
import { decodeGxmtBytes, valueJson, type MessageFrame } from '../worker/gxmt/index.ts';
import { writeUnanchoredItems } from '../worker/convert/items-to-mt.ts';
import { vcfItems, VcfStrictError, DELIBERATE_DIFFERENCES } from '../worker/convert/vcf.ts';
import { corpusDir, corpusFiles, corpusRel, describeCorpus } from './corpus.ts';
import { rng } from './rng.ts';

const files = corpusFiles('vcf', /\.vcf$/i);
const refDir = join(corpusDir, 'gxmt-reference', 'vcf');
/** Inputs gromox rejects outright (gxmt-reference/README.md). */
const GROMOX_REJECTS = new Set([
  'vcf/ez-vcard/John_Doe_ANDROID.vcf',
  'vcf/ez-vcard/John_Doe_BLACK_BERRY.vcf',
  'vcf/ez-vcard/outlook-2007.vcf',
  'vcf/libical/test.vcf',
  'vcf/thunderbird/emptylines_vcard_addressbook.vcf',
]);

async function convert(path: string, strict = false) {
  const findings: Finding[] = [];
  const sink = new MemorySink();
  const src = bytesSource(new Uint8Array(readFileSync(path)), path.split('/').pop());
  let error: unknown;
  const items = async function* () {
    try {
      yield* vcfItems(src, { strict }, (f) => findings.push(f));
    } catch (e) {
      error = e;
    }
  };
  const res = await writeUnanchoredItems(sink, items(), { onFinding: (f) => findings.push(f) });
  const bytes = sink.bytes();
  const decoded = decodeGxmtBytes(bytes); // strict: throws on any defect
  const messages = decoded.frames.filter((f): f is MessageFrame => f.kind === 'message');
  return { findings, messages, res, error, bytes };
}

type Key = string;
const keyOf = (p: Prop): Key =>
  p.name ? `${p.name.guid}/${p.name.lid !== undefined ? '0x' + p.name.lid.toString(16) : p.name.name}:${(p.tag & 0xffff).toString(16)}` : '0x' + (p.tag >>> 0).toString(16).padStart(8, '0');
const asMap = (props: Prop[]) => new Map(props.map((p) => [keyOf(p), JSON.stringify(valueJson(p.value))]));

const ADDR = '00062004-0000-0000-c000-000000000046';
const PUBS = '00020329-0000-0000-c000-000000000046';
const n = (s: string) => JSON.parse(s) as unknown;

/** Differences every message may show: properties we add or write under their fixed name. */
function globalReason(key: Key, g: string | undefined, o: string | undefined): keyof typeof DELIBERATE_DIFFERENCES | undefined {
  if (g === undefined) {
    const emailKeys = [0x8080, 0x8084, 0x8085, 0x8090, 0x8094, 0x8095, 0x80a0, 0x80a4, 0x80a5, 0x8028, 0x8029];
    if (emailKeys.some((l) => key.startsWith(`${ADDR}/0x${l.toString(16)}:`))) return 'email-details';
    if (key === `${PUBS}/Keywords:101f`) return 'categories-name';
    if (key === `${ADDR}/0x8015:b`) return 'photo';
  }
  if (o === undefined) {
    if (key === `${PUBS}/0x2328:101f`) return 'categories-name';
    if (key === '0x7fff000b') return 'photo';
  }
  if (g !== undefined && o !== undefined && typeof n(g) === 'string' && (n(g) as string).replace(/\\(.)/g, '$1') === n(o)) return 'escapes';
  return undefined;
}

const W = (lid: number) => `${ADDR}/0x${lid.toString(16)}:1f`;
const WORK_ADR = [0x8045, 0x8046, 0x8047, 0x8048, 0x8049].map(W);
/**
 * Per file, the further differences from gromox, written by hand from the card text, each with the
 * deliberate improvement that causes it. Every entry must be observed (no stale entries).
 */
const HOME_ADR = ['0x3a5d001f', '0x3a59001f', '0x3a5c001f', '0x3a5b001f', '0x3a5a001f'];
const DISPLAY = ['0x3001001f', '0x0e1d001f', '0x0070001f'];
const each = (keys: Key[], why: keyof typeof DELIBERATE_DIFFERENCES): [Key, keyof typeof DELIBERATE_DIFFERENCES][] => keys.map((k) => [k, why]);
const EXPECTED: Record<string, [Key, keyof typeof DELIBERATE_DIFFERENCES][]> = {
  // TEL;type=WORK;type=pref: gromox drops a work number followed by a non-fax TYPE.
  'ccs-caldavtester/bulk_simple_4.vcf': [['0x3a08001f', 'type-set']],
  'ccs-caldavtester/vcardput_6.vcf': [...each(WORK_ADR, 'grouped'), ['0x3a08001f', 'type-set']], // item1.ADR;type=WORK
  'ez-vcard/John_Doe_GMAIL.vcf': [
    ...each(DISPLAY, 'comma-split'), // FN:Mr. John Richter, James Doe Sr.
    ...each(['0x3a44001f', '0x3a45001f', '0x3a05001f'], 'comma-split'), // N:Doe;John;Richter\, James;Mr.;Sr.
    ['0x3a5d001f', 'comma-split'], // ADR;TYPE=HOME with Nice Area\, Albaney
  ],
  'ez-vcard/John_Doe_LOTUS_NOTES.vcf': [
    ['0x3a4f001f', 'comma-split'], // NICKNAME:Johny\,JayJay
    ...each(HOME_ADR, 'grouped'), // item1.ADR;type=HOME
    ['0x3a51001f', 'grouped'], // item2.URL;type=pref
  ],
  'ez-vcard/John_Doe_MAC_ADDRESS_BOOK.vcf': [
    ...each(DISPLAY, 'comma-split'),
    ...each(['0x3a44001f', '0x3a45001f', '0x3a05001f'], 'comma-split'), // N with Richter\,James
    ['0x3a08001f', 'type-set'], // TEL;type=WORK;type=pref
    ['0x3a1f001f', 'grouped'], // item1.TEL
    ...each(HOME_ADR, 'grouped'), // item2.ADR;type=HOME
    ...each(WORK_ADR.filter((k) => k !== W(0x8047)), 'grouped'), // item3.ADR;type=WORK (no region)
    ['0x3a51001f', 'grouped'], // item4.URL
  ],
  'ez-vcard/fullcontact.vcf': [
    ...each(['0x3a2f001f', '0x3a1b001f', '0x3a25001f', '0x3a24001f'], 'fax'), // TYPE=home,fax / work,fax
    [`${ADDR}/0x8062:1f`, 'impp'],
    ['0x3a51001f', 'url-untyped'], ['0x3a50001f', 'url-untyped'], // four URL lines without TYPE
  ],
  'ez-vcard/rfc6350-example.vcf': [
    ['0x3a05001f', 'comma-split'], // N suffix "ing. jr,M.Sc."
    ['0x3a410040', 'anniversary'],
    ['0x3a08001f', 'tel-uri'], ['0x3a1c001f', 'tel-uri'],
  ],
  'ical.js/vcard_author.vcf': [
    ['0x3a05001f', 'comma-split'],
    ['0x3a410040', 'anniversary'],
    ['0x3a08001f', 'tel-uri'], ['0x3a1c001f', 'tel-uri'],
  ],
  // TYPE="HOME,VOICE", "WORK,FAX", "WORK,VOICE": gromox keeps the quotes and matches nothing.
  'ical.js/escape_semicolon.vcf': [['0x3a09001f', 'type-set'], ['0x3a24001f', 'type-set'], ['0x3a08001f', 'type-set'], ['0x3a410040', 'anniversary']],
  'ical.js/vcard_grouped.vcf': each(['0x3a5e001f', ...HOME_ADR], 'grouped'), // ITEM1.ADR;TYPE=home
  'libical/leaktest.vcf': [['0x3a1b001f', 'fax'], ['0x3a24001f', 'fax']], // TYPE=WORK,FAX
  'thunderbird/v3-uri-uri-png.vcf': each(DISPLAY, 'comma-split'), // FN:URI PNG\, version 3.0 …
  'thunderbird/v4-uri-jpeg.vcf': each(DISPLAY, 'comma-split'),
};

async function contents(bytes: Uint8Array, chunkSize?: number) {
  const out: unknown[] = [];
  for await (const it of vcfItems(bytesSource(bytes, 'x.vcf'), { lex: { chunkSize } })) out.push(it.content);
  return out;
}


describeCorpus('vcf corpus', () => {
  test('the corpus has VCF files', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  test('chunk boundaries do not change the result (every file, chunk sizes 3, 7, 4096)', async () => {
    for (const path of files) {
      const bytes = new Uint8Array(readFileSync(path));
      const whole = await contents(bytes);
      for (const n of [3, 7, 4096]) expect(await contents(bytes, n), `${corpusRel(path)} chunk ${n}`).toEqual(whole);
    }
  });

  test('truncated and bit-flipped files: no crash, no hang, the stream stays valid', async () => {
    const r = rng(0x5eed);
    for (const path of files) {
      const orig = new Uint8Array(readFileSync(path));
      for (let k = 0; k < 6; k++) {
        const b = orig.slice(0, Math.max(1, Math.floor(orig.length * (k < 3 ? r() : 1))));
        for (let f = 0; f < 8; f++) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
        const sink = new MemorySink();
        await writeUnanchoredItems(sink, vcfItems(bytesSource(b, 'fuzz.vcf'), {}, () => {}));
        expect(() => decodeGxmtBytes(sink.bytes())).not.toThrow();
      }
    }
  });

  for (const path of files) {
    const rel = corpusRel(path);
    test(`${rel}: converts, decodes strictly, reports what it skips`, async () => {
      const { findings, messages, error } = await convert(path);
      expect(error).toBeUndefined();
      const text = readFileSync(path, 'latin1');
      const begins = (text.match(/^BEGIN:VCARD\s*$/gim) ?? []).length;
      // Every card is either a message or has an error/warning finding that says why not.
      const skipped = findings.filter((f) => f.code === 'VCF-EMPTY-CARD' || f.code === 'VCF-LINE-TOO-LONG').length;
      expect(messages.length + skipped).toBe(begins);
      if (begins === 0) expect(findings.some((f) => f.code === 'VCF-JUNK')).toBe(true);
      for (const m of messages) {
        const cls = m.content.props.find((p) => p.tag === 0x001a001f)?.value;
        expect(['IPM.Contact', 'IPM.DistList']).toContain(cls);
      }
    });

    const ref = join(refDir, relative(join(corpusDir, 'vcf'), path) + '.mt');
    if (GROMOX_REJECTS.has(rel)) {
      test(`${rel}: gromox rejects it, we convert it card by card (strict mode reproduces the rejection)`, async () => {
        expect(existsSync(ref)).toBe(false);
        const loose = await convert(path);
        expect(loose.messages.length).toBeGreaterThan(0);
        const strict = await convert(path, true);
        expect(strict.error).toBeInstanceOf(VcfStrictError);
        expect(strict.messages.length).toBe(0);
        expect(strict.findings.some((f) => f.code === 'VCF-STRICT-ABORT')).toBe(true);
      });
      continue;
    }
    if (!existsSync(ref)) continue;
    test(`${rel}: matches gromox per message, differences named`, async () => {
      const ours = await convert(path);
      const theirs = decodeGxmtBytes(new Uint8Array(readFileSync(ref))).frames.filter((f): f is MessageFrame => f.kind === 'message');
      expect(ours.messages.length).toBe(theirs.length);
      // --strict accepts what gromox accepts, with the same number of messages.
      const strict = await convert(path, true);
      expect(strict.error).toBeUndefined();
      expect(strict.messages.length).toBe(theirs.length);
      const unexplained: string[] = [];
      const named = new Set<string>();
      const expected = EXPECTED[relative(join(corpusDir, 'vcf'), path)] ?? [];
      const used = new Set<string>();
      theirs.forEach((t, i) => {
        const o = ours.messages[i]!;
        const gm = asMap(t.content.props);
        const om = asMap(o.content.props);
        const gClass = gm.get('0x001a001f');
        const oClass = om.get('0x001a001f');
        if (gClass !== oClass) {
          // gromox writes groups as contacts.
          expect(n(oClass!)).toBe('IPM.DistList');
          named.add('distlist');
          return;
        }
        for (const k of new Set([...gm.keys(), ...om.keys()])) {
          const g = gm.get(k);
          const v = om.get(k);
          if (g === v) continue;
          const why = globalReason(k, g, v) ?? expected.find(([key]) => key === k)?.[1];
          if (why) {
            named.add(why);
            used.add(k);
          } else unexplained.push(`message ${i + 1} ${k}: gromox ${g?.slice(0, 80)} / ours ${v?.slice(0, 80)}`);
        }
        // Attachments: gromox's photo attachment vs ours (names fixed, same image bytes).
        expect(o.content.attachments.length).toBeGreaterThanOrEqual(t.content.attachments.length);
        t.content.attachments.forEach((a, j) => {
          const gData = a.props.find((p) => p.tag === 0x37010102)?.value;
          const oData = o.content.attachments[j]!.props.find((p) => p.tag === 0x37010102)?.value;
          expect(oData).toEqual(gData);
          named.add('photo');
        });
        if (o.content.attachments.length > t.content.attachments.length) named.add('photo');
      });
      expect(unexplained).toEqual([]);
      expect(expected.filter(([k]) => !used.has(k)).map(([k]) => k)).toEqual([]);
      // Every named difference is a documented one.
      for (const k of named) expect(Object.keys(DELIBERATE_DIFFERENCES)).toContain(k);
    });
  }
});
