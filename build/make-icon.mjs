// Draws build/icon.png (1024x1024, RGBA): a deck-blue rounded square, a hexagon (a cluster) and a
// `>_` prompt. Plain Node (zlib for the PNG), no image tools needed; electron-builder derives the
// .icns (dmg) and .ico (nsis) from it. Run: node build/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 1024;
const SS = 3; // supersampling per axis

const segDist = (px, py, ax, ay, bx, by) => {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
};
const polyDist = (px, py, pts, closed) => {
  let d = Infinity;
  const n = closed ? pts.length : pts.length - 1;
  for (let i = 0; i < n; i++) {
    const [a, b] = [pts[i], pts[(i + 1) % pts.length]];
    d = Math.min(d, segDist(px, py, a[0], a[1], b[0], b[1]));
  }
  return d;
};
const inRoundRect = (px, py, x0, y0, x1, y1, r) => {
  const cx = Math.max(x0 + r, Math.min(x1 - r, px));
  const cy = Math.max(y0 + r, Math.min(y1 - r, py));
  return Math.hypot(px - cx, py - cy) <= r;
};

const hex = [[512, 170], [808, 341], [808, 683], [512, 854], [216, 683], [216, 341]];
const chevron = [[370, 405], [485, 512], [370, 619]];
const layers = [
  { color: [0x1b, 0x2a, 0x4a], hit: (x, y) => inRoundRect(x, y, 64, 64, 960, 960, 180) },
  { color: [0x3b, 0x82, 0xf6], hit: (x, y) => polyDist(x, y, hex, true) <= 18 },
  { color: [0xe5, 0xed, 0xff], hit: (x, y) => polyDist(x, y, chevron, false) <= 32 },
  { color: [0x22, 0xc5, 0x5e], hit: (x, y) => inRoundRect(x, y, 530, 590, 680, 640, 22) },
];

const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < N; x++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const px = x + (sx + 0.5) / SS, py = y + (sy + 0.5) / SS;
        let c;
        for (const l of layers) if (l.hit(px, py)) c = l.color;
        if (c) { r += c[0]; g += c[1]; b += c[2]; a += 255; }
      }
    }
    const k = SS * SS, o = y * (N * 4 + 1) + 1 + x * 4;
    const cov = a / 255;
    raw[o] = cov ? Math.round(r / cov) : 0;
    raw[o + 1] = cov ? Math.round(g / cov) : 0;
    raw[o + 2] = cov ? Math.round(b / cov) : 0;
    raw[o + 3] = Math.round(a / k);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`build/icon.png: ${N}x${N}, ${png.length} bytes`);
