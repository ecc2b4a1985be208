/**
 * The validation report on screen (and in print): verdict, what was checked, counts by
 * severity, then every finding with its stable code and where it was found.
 */
import { h, formatBytes, plural } from './format.ts';
import type { ValidationReport } from '../worker/api.ts';

const hex = (n: number | undefined) => (n === undefined ? '' : '0x' + n.toString(16).toUpperCase());

export function renderReport(r: ValidationReport): HTMLElement {
  const summary = h('dl', { class: 'report-summary' },
    h('dt', {}, 'File'), h('dd', {}, `${r.file.name} (${formatBytes(r.file.size)})`),
    h('dt', {}, 'Type'), h('dd', {}, r.label),
    r.variant ? h('dt', {}, 'Format') : false, r.variant ? h('dd', {}, r.variant) : false,
    r.encryption ? h('dt', {}, 'Encryption') : false, r.encryption ? h('dd', {}, r.encryption) : false,
    h('dt', {}, 'Verdict'), h('dd', {}, h('span', { class: `verdict ${r.verdict}` }, r.verdictText)),
    h('dt', {}, 'Summary'), h('dd', {}, r.summary),
    h('dt', {}, 'Findings'), h('dd', {}, `${plural(r.counts.error, 'error')}, ${plural(r.counts.warning, 'warning')}, ${plural(r.counts.info, 'note')}`),
    ...Object.entries(r.checked).flatMap(([k, v]) => [h('dt', {}, `Checked ${k}`), h('dd', {}, v.toLocaleString('en'))]),
    h('dt', {}, 'When'), h('dd', {}, `${new Date(r.startedAt).toLocaleString()} (${(r.durationMs / 1000).toFixed(1)} s, ${r.tool})`),
  );
  const rows = r.findings.map((f) =>
    h('tr', {},
      h('td', { class: `sev-${f.severity}` }, f.severity),
      h('td', {}, h('code', {}, f.code)),
      h('td', {}, f.message),
      h('td', {}, [f.item, f.nid !== undefined ? `NID ${hex(f.nid)}` : '', f.offset !== undefined ? `offset ${hex(f.offset)}` : '', f.field ?? ''].filter(Boolean).join(' · '))));
  return h('div', { class: 'report' },
    summary,
    r.findings.length === 0
      ? h('p', {}, 'No problems were found.')
      : h('div', { class: 'table-wrap' }, h('table', {},
          h('caption', { class: 'visually-hidden' }, 'Findings'),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Severity'), h('th', { scope: 'col' }, 'Code'), h('th', { scope: 'col' }, 'What'), h('th', { scope: 'col' }, 'Where'))),
          h('tbody', {}, ...rows))),
    r.truncated ? h('p', { class: 'muted' }, 'The list is shortened; the saved JSON has the same entries.') : false);
}
