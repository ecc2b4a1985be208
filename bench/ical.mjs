/**
 * ical2mt throughput: a generated ~100 MiB ICS (weekly series with exceptions in a VTIMEZONE,
 * all-day events, tasks with alarms) converted by the built CLI to /dev/null; items/s, MiB/s and
 * the child's peak RSS. Runs built code only (dist/node), never tests.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './lib/measure.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = Number(process.env.MAILFERRY_BENCH_ICS_MIB ?? 100) * 1024 * 1024;

export async function generate(path) {
  const out = createWriteStream(path);
  const w = (s) => (out.write(s) ? undefined : new Promise((r) => out.once('drain', r)));
  await w('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mailferry bench//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n');
  let bytes = 0;
  let items = 0;
  const desc = 'Agenda: status\\, planning\\; notes.\\n'.repeat(8);
  for (let i = 0; bytes < TARGET; i++) {
    const d = String(1 + (i % 28)).padStart(2, '0');
    const m = String(1 + (i % 12)).padStart(2, '0');
    let s;
    if (i % 3 === 0) {
      s = `BEGIN:VEVENT\r\nUID:series-${i}@bench\r\nDTSTAMP:20240101T000000Z\r\nDTSTART;TZID=Europe/Berlin:2024${m}${d}T100000\r\nDTEND;TZID=Europe/Berlin:2024${m}${d}T110000\r\nRRULE:FREQ=WEEKLY;COUNT=20\r\nEXDATE;TZID=Europe/Berlin:2024${m}${d}T100000\r\nSUMMARY:Series ${i}\r\nLOCATION:Room ${i % 40}\r\nDESCRIPTION:${desc}\r\n BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nACTION:DISPLAY\r\nEND:VALARM\r\nEND:VEVENT\r\n` +
        `BEGIN:VEVENT\r\nUID:series-${i}@bench\r\nRECURRENCE-ID;TZID=Europe/Berlin:2024${m}${d}T100000\r\nDTSTART;TZID=Europe/Berlin:2024${m}${d}T140000\r\nDTEND;TZID=Europe/Berlin:2024${m}${d}T150000\r\nSUMMARY:Moved ${i}\r\nEND:VEVENT\r\n`;
    } else if (i % 3 === 1) {
      s = `BEGIN:VEVENT\r\nUID:allday-${i}@bench\r\nDTSTART;VALUE=DATE:2024${m}${d}\r\nDTEND;VALUE=DATE:2024${m}${String(Math.min(29, +d + 1)).padStart(2, '0')}\r\nSUMMARY:Holiday ${i}\r\nCATEGORIES:Holiday,Bench\r\nDESCRIPTION:${desc}\r\nEND:VEVENT\r\n`;
    } else {
      s = `BEGIN:VTODO\r\nUID:todo-${i}@bench\r\nDTSTART:2024${m}${d}T090000Z\r\nDUE:2024${m}${d}T170000Z\r\nSUMMARY:Task ${i}\r\nSTATUS:IN-PROCESS\r\nPERCENT-COMPLETE:30\r\nDESCRIPTION:${desc}\r\nBEGIN:VALARM\r\nTRIGGER:-PT30M\r\nACTION:DISPLAY\r\nEND:VALARM\r\nEND:VTODO\r\n`;
    }
    bytes += s.length;
    items++;
    await w(s);
  }
  await w('END:VCALENDAR\r\n');
  await new Promise((r) => out.end(r));
  return items;
}

export async function run(log = console.log) {
  if (!existsSync(join(root, 'dist/node/cli/commands/ical2mt.js'))) {
    log('ical: dist/node missing; run `npm run build:node` first');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mailferry-ical-'));
  try {
    const file = join(dir, 'bench.ics');
    const components = await generate(file);
    const size = statSync(file).size;
    const r = await runCli(['ical2mt', '--loglevel=3', '--force', file]);
    if (r.code !== 0) throw new Error(`ical2mt exited ${r.code}: ${r.stderr.slice(0, 500)}`);
    const mib = size / 1048576;
    log(`ical2mt: ${mib.toFixed(1)} MiB, ${components} items (series+override, all-day, tasks) in ${r.secs.toFixed(2)} s: ` +
      `${Math.round(components / r.secs)} items/s, ${(mib / r.secs).toFixed(1)} MiB/s (CPU ${r.cpu.toFixed(1)} s: ${Math.round(components / r.cpu)} items/s per core), peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
    return { items: components, seconds: r.secs, cpuSeconds: r.cpu, mibPerSec: mib / r.secs, peakRssMiB: r.peakRssMiB };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
