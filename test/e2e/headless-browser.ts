/**
 * Debian's chromium, headless, for tests of HTML the command-line tool writes: the DOM after the page's scripts ran,
 * and a screenshot decoded to pixels (8-bit RGB or RGBA PNG, what chromium writes), so a test can check what shows.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inflateSync } from 'zlib';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

function chromium(args: string[]): Promise<string> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  return new Promise((resolve, reject) => {
    execFile('chromium', [...FLAGS, `--user-data-dir=${profile}`, ...args], { maxBuffer: 1 << 26, timeout: 120_000 }, (error, stdout, stderr) => {
      fs.rmSync(profile, { recursive: true, force: true });
      if (error) reject(new Error(`chromium ${args.join(' ')} failed (install it: apt-get install -y chromium): ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The page's DOM once loaded and its scripts have run. */
export function dumpDom(file: string): Promise<string> {
  return chromium(['--dump-dom', `file://${file}`]);
}

/** Takes a screenshot of the page into `png`. */
export async function screenshot(file: string, png: string, size = '1400,900'): Promise<void> {
  await chromium([`--screenshot=${png}`, `--window-size=${size}`, `file://${file}`]);
}

export interface Pixels { width: number; height: number; rgb(x: number, y: number): [number, number, number] }

/** Decodes a non-interlaced 8-bit RGB or RGBA PNG. */
export function decodePng(data: Buffer): Pixels {
  let offset = 8;
  const idat: Buffer[] = [];
  let width = 0; let height = 0; let channels = 0;
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0); height = body.readUInt32BE(4);
      if (body[8] !== 8 || ![2, 6].includes(body[9]) || body[12] !== 0) throw new Error('only 8-bit RGB(A) non-interlaced PNGs are decoded');
      channels = body[9] === 6 ? 4 : 3;
    }
    if (type === 'IDAT') idat.push(body);
    offset += length + 12;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i];
      const a = i >= channels ? out[y * stride + i - channels] : 0;
      const b = y > 0 ? out[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels ? out[(y - 1) * stride + i - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      out[y * stride + i] = (x + predictor) & 0xff;
    }
  }
  return { width, height, rgb: (x, y) => [out[y * stride + x * channels], out[y * stride + x * channels + 1], out[y * stride + x * channels + 2]] };
}

/** How many pixels of the image have exactly this colour ("#rrggbb"). */
export function countColour(pixels: Pixels, hex: string): number {
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let count = 0;
  for (let y = 0; y < pixels.height; y++) {
    for (let x = 0; x < pixels.width; x++) {
      const [r, g, b] = pixels.rgb(x, y);
      if (r === want[0] && g === want[1] && b === want[2]) count++;
    }
  }
  return count;
}
