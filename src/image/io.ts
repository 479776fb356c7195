/**
 * Reading and writing image files in Node with sharp (libvips). sharp and node:fs are imported
 * dynamically, so the main entry that re-exports these functions still loads in browsers.
 *
 * readImage takes PNG, JPEG and WebP only (sniffed from the bytes, not the extension). sharp could
 * also decode GIF, SVG, TIFF, AVIF/HEIF, but those carry animation frames, vector rendering or
 * wide-gamut / high-bit-depth data whose "pixels" a photo model should not silently guess at; they
 * are refused with the list of formats that are read. Every failure is an ImageError naming the path.
 */
import { ImageError } from '../errors.js';
import type { RgbImage } from './preprocess.js';

type Format = 'PNG' | 'JPEG' | 'WebP';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const SUPPORTED = 'sepconv reads PNG, JPEG and WebP images';

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, Math.min(to, b.length)));

/** PNG / JPEG / WebP from the magic bytes, or a description of what the bytes are instead. */
function sniff(b: Uint8Array): { format: Format } | { other: string } {
  if (startsWith(b, PNG_MAGIC)) return { format: 'PNG' };
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { format: 'JPEG' };
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return { format: 'WebP' };
  if (ascii(b, 0, 4) === 'GIF8') return { other: 'a GIF image' };
  if (ascii(b, 0, 2) === 'BM') return { other: 'a BMP image' };
  if (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*') return { other: 'a TIFF image' };
  if (ascii(b, 4, 8) === 'ftyp') return { other: `an ISO-BMFF file (${ascii(b, 8, 12).trim() || '?'}: AVIF / HEIF / MP4)` };
  const head = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, 512)).replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return { other: 'an SVG image' };
  if (b.length < 8 && b.every((c, i) => c === PNG_MAGIC[i])) return { other: 'a truncated PNG (only the first bytes of the signature)' };
  const printable = b.subarray(0, 64).every((c) => c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127));
  const hex = [...b.subarray(0, 8)].map((c) => c.toString(16).padStart(2, '0')).join(' ');
  return { other: printable ? 'text, not an image' : `not a PNG, JPEG or WebP file (starts with bytes ${hex})` };
}

/** Why a decode failed, in words (truncation is told from the bytes where the format allows). */
function decodeProblem(format: Format, b: Uint8Array, message: string): string {
  const m = message.replace(/\s+/g, ' ').trim();
  if (/exceeds pixel limit/i.test(m)) return `is too large to decode (${m})`;
  if (format === 'PNG' && Buffer.from(b.buffer, b.byteOffset, b.byteLength).lastIndexOf('IEND') < 0) {
    return `is a truncated PNG (${b.length} bytes, no IEND chunk: the file ends early)`;
  }
  if (format === 'JPEG' && !(b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9) && /premature|end of|truncat/i.test(m)) {
    return `is a truncated JPEG (${b.length} bytes, no end-of-image marker)`;
  }
  return `is a corrupt ${format} file (decoder: ${m})`;
}

async function loadSharp(): Promise<typeof import('sharp')> {
  try {
    return (await import('sharp')).default;
  } catch (e) {
    throw new ImageError(`image support needs the 'sharp' package, which did not load: ${(e as Error).message}`);
  }
}

/** Decodes a PNG, JPEG or WebP file into 8-bit RGB (alpha dropped, gray expanded, EXIF orientation applied). */
export async function readImage(path: string): Promise<RgbImage> {
  const { readFile, stat } = await import('node:fs/promises');
  const where = `image '${path}'`;
  let bytes: Uint8Array;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new ImageError(`${where} is a directory, not an image file`);
    if (!st.isFile()) throw new ImageError(`${where} is not a regular file`);
    bytes = await readFile(path);
  } catch (e) {
    if (e instanceof ImageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ImageError(`${where}: no such file`);
    if (code === 'EACCES' || code === 'EPERM') throw new ImageError(`${where}: permission denied`);
    if (code === 'EISDIR') throw new ImageError(`${where} is a directory, not an image file`);
    throw new ImageError(`cannot read ${where}: ${(e as Error).message}`);
  }
  if (bytes.length === 0) throw new ImageError(`${where} is empty (0 bytes)`);
  const kind = sniff(bytes);
  if ('other' in kind) throw new ImageError(`${where} is ${kind.other}; ${SUPPORTED}`);
  const sharp = await loadSharp();
  let out: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    out = await sharp(bytes, { failOn: 'error' })
      .rotate() // apply EXIF orientation, as browsers display the photo
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new ImageError(`${where} ${decodeProblem(kind.format, bytes, (e as Error).message)}`);
  }
  const { width, height, channels } = out.info;
  const src = new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
  if (channels === 3) return { width, height, data: src.slice() };
  // sRGB output is 3 channels; keep a fallback for 1 (gray) and 4 (alpha left over) all the same
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let j = 0; j < 3; j++) data[p * 3 + j] = src[p * channels + (channels >= 3 ? j : 0)];
  }
  return { width, height, data };
}

/**
 * Fails early (before any work is done) with the ImageError writePng would give if `path` cannot
 * be written because its directory is missing or `path` is a directory. Returns the directory.
 */
export async function checkPngOutput(path: string): Promise<string> {
  const { stat } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const where = `cannot write PNG '${path}'`;
  const dir = dirname(path);
  const st = await stat(dir).catch(() => null);
  if (!st) throw new ImageError(`${where}: directory '${dir}' does not exist`);
  if (!st.isDirectory()) throw new ImageError(`${where}: '${dir}' is not a directory`);
  if ((await stat(path).catch(() => null))?.isDirectory()) throw new ImageError(`${where}: it is a directory`);
  return dir;
}

/** Writes 8-bit pixels as a PNG: 1 channel gray, 3 RGB, 4 RGBA. */
export async function writePng(path: string, img: { width: number; height: number; channels: 1 | 3 | 4; data: Uint8Array }): Promise<void> {
  const { width, height, channels, data } = img;
  const where = `cannot write PNG '${path}'`;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new ImageError(`${where}: size ${width}x${height} must be positive integers`);
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new ImageError(`${where}: channels ${String(channels)} must be 1 (gray), 3 (RGB) or 4 (RGBA)`);
  if (!(data instanceof Uint8Array) || data.length !== width * height * channels) {
    throw new ImageError(`${where}: pixel data has ${data?.length} bytes but ${width}x${height}x${channels} needs ${width * height * channels}`);
  }
  const dir = await checkPngOutput(path);
  const { writeFile } = await import('node:fs/promises');
  const sharp = await loadSharp();
  let png: Buffer;
  try {
    let p = sharp(data, { raw: { width, height, channels } });
    if (channels === 1) p = p.toColourspace('b-w'); // else sharp would write a gray plane as RGB
    png = await p.png().toBuffer();
  } catch (e) {
    throw new ImageError(`${where}: PNG encoding failed: ${(e as Error).message}`);
  }
  try {
    await writeFile(path, png);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOENT' ? `directory '${dir}' does not exist` : (e as Error).message;
    throw new ImageError(`${where}: ${why}`);
  }
}
