// Renders public/icons/*.png from the same shapes as icon.svg with a tiny rasteriser and
// node:zlib, so the PNG icons are reproducible without an image toolchain:
//   node web/tools/make-icons.mjs
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const BLUE = [0x0b, 0x5c, 0xad], WHITE = [255, 255, 255], WAVE = [0x9f, 0xd0, 0xff];

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      // 4x4 supersampling in icon units (0..64)
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) {
        const p = pixel(((x + (sx + 0.5) / 4) * 64) / size, ((y + (sy + 0.5) / 4) * 64) / size);
        if (p) { r += p[0]; g += p[1]; b += p[2]; a += 255; }
      }
      const o = y * (size * 4 + 1) + 1 + x * 4;
      const n = a / 255 || 1;
      raw[o] = r / n; raw[o + 1] = g / n; raw[o + 2] = b / n; raw[o + 3] = a / 16;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
const distToSeg = (px, py, ax, ay, bx, by) => {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
};
function shape(x, y, { rounded, inset }) {
  // maskable: content scaled into the 80 % safe zone, background fills everything
  const s = inset ? 0.8 : 1, cx = (x - 32) / s + 32, cy = (y - 32) / s + 32;
  if (rounded) {
    const r = 14, qx = Math.max(r - x, 0, x - (64 - r)), qy = Math.max(r - y, 0, y - (64 - r));
    if (Math.hypot(qx, qy) > r) return null;
  }
  if (cx >= 14 && cx <= 50 && cy >= 20 && cy <= 40) {
    if (distToSeg(cx, cy, 14, 20, 32, 33) < 1.5 || distToSeg(cx, cy, 32, 33, 50, 20) < 1.5) return BLUE;
    return WHITE;
  }
  // wave: a sine line at y≈47.5
  if (cx >= 7 && cx <= 57 && Math.abs(cy - (47.5 - 1.5 * Math.cos(((cx - 8) / 8) * Math.PI))) < 1.5) return WAVE;
  return BLUE;
}
const out = new URL('../../public/icons/', import.meta.url);
writeFileSync(new URL('icon-192.png', out), png(192, (x, y) => shape(x, y, { rounded: true })));
writeFileSync(new URL('icon-512.png', out), png(512, (x, y) => shape(x, y, { rounded: true })));
writeFileSync(new URL('icon-maskable-512.png', out), png(512, (x, y) => shape(x, y, { rounded: false, inset: true })));
console.log('icons written');
