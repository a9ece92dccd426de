/**
 * A minimal PNG writer: 8-bit RGB, no interlace. The container (signature,
 * chunks, CRC-32) is written here; compression is Node's zlib.
 * Spec: https://www.w3.org/TR/png-3/ (§5 datastream, §11.2 IHDR).
 */
import { deflateSync } from 'node:zlib';

/** An RGB image: `pixels` holds `3·width·height` bytes, row-major, R G B. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

/**
 * A blank image filled with one colour.
 * @example const img = rgbImage(64, 48, [255, 255, 255]);
 */
export function rgbImage(width: number, height: number, fill: readonly [number, number, number]): RgbImage {
  const pixels = new Uint8Array(3 * width * height);
  for (let i = 0; i < pixels.length; i += 3) pixels.set(fill, i);
  return { width, height, pixels };
}

/** Fills the rectangle `[x, x+w) × [y, y+h)`, clipped to the image. */
export function fillRect(
  img: RgbImage,
  x: number,
  y: number,
  w: number,
  h: number,
  rgb: readonly [number, number, number],
): void {
  for (let j = Math.max(0, y); j < Math.min(img.height, y + h); j++) {
    for (let i = Math.max(0, x); i < Math.min(img.width, x + w); i++) img.pixels.set(rgb, 3 * (j * img.width + i));
  }
}

let crcTable: Uint32Array | null = null;

/**
 * CRC-32 (ISO 3309, reflected polynomial 0xEDB88320), as PNG chunks require.
 * @example crc32(new TextEncoder().encode('IEND')) // 0xae426082
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** length, type, data, CRC over type + data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/**
 * Encodes an RGB image as a PNG file.
 * @example writeFileSync('out.png', encodePng(rgbImage(2, 2, [255, 0, 0])));
 */
export function encodePng(img: RgbImage): Uint8Array {
  const { width, height, pixels } = img;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    pixels.length !== 3 * width * height
  ) {
    throw new RangeError(
      `encodePng: a ${width}×${height} RGB image needs ${3 * width * height} bytes, got ${pixels.length}`,
    );
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, filter 0, no interlace
  // Every scanline starts with its filter type; 0 (None) keeps the writer trivial.
  const raw = new Uint8Array(height * (1 + 3 * width));
  for (let y = 0; y < height; y++) {
    raw.set(pixels.subarray(3 * width * y, 3 * width * (y + 1)), y * (1 + 3 * width) + 1);
  }
  const parts = [SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
