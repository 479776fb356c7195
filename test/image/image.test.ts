import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageError, ShapeError } from '../../src/errors.js';
import { preprocess, readImage, resizePlane, writePng, type PreprocessSpec, type RgbImage } from '../../src/image/index.js';
import { refResizeBilinear } from '../../src/reference/resize.js';
import { mulberry32 } from '../../src/util/random.js';

const ASTRONAUT = 'examples/astronaut.png';
const dir = mkdtempSync(join(tmpdir(), 'sepconv-image-'));
const f32 = (p: string): Float32Array => {
  const b = readFileSync(p);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const MODES: PreprocessSpec['coord'][] = ['legacy', 'align_corners', 'half_pixel'];
const MODE_CODE = { legacy: 0, align_corners: 1, half_pixel: 2 } as const;

function randomImage(width: number, height: number, seed: number): RgbImage {
  const rnd = mulberry32(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rnd() * 256);
  return { width, height, data };
}

/** Expects `fn` to reject with an ImageError whose message matches every pattern. */
async function expectImageError(fn: () => Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an ImageError').toBeInstanceOf(ImageError);
  expect((err as ImageError).code).toBe('E_IMAGE');
  for (const p of patterns) expect((err as Error).message).toMatch(p);
  expect((err as Error).message).not.toContain('\n');
}

describe('preprocess', () => {
  it('reproduces the TF.js selfie golden input from examples/astronaut.png (resizeBilinear 512 -> 256, legacy, / 255)', async () => {
    const img = await readImage(ASTRONAUT);
    expect([img.width, img.height, img.data.length]).toEqual([512, 512, 512 * 512 * 3]);
    const x = preprocess(img, { size: [256, 256], coord: 'legacy', scale: 1 / 255, offset: 0 });
    const golden = f32('test/fixtures/tfjs/selfie/photo_astronaut.input.bin');
    expect(x.length).toBe(golden.length);
    let maxDiff = 0;
    for (let i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - golden[i]));
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
  });

  it('equals refResizeBilinear on the float pixels (then scale + offset) in every coordinate mode, up and down', () => {
    const sizes: [number, number, number, number][] = [[7, 5, 3, 4], [5, 9, 11, 13], [16, 16, 8, 8], [1, 6, 4, 3], [6, 1, 1, 1], [3, 3, 3, 3], [37, 23, 10, 29]];
    for (const [h, w, oh, ow] of sizes) {
      const img = randomImage(w, h, h * 100 + w);
      const asFloat = Float32Array.from(img.data);
      for (const coord of MODES) {
        const ref = new Float32Array(oh * ow * 3);
        refResizeBilinear(h, w, 3, asFloat, 3, oh, ow, ref, 3, MODE_CODE[coord]);
        const y = preprocess(img, { size: [oh, ow], coord, scale: 1 / 127.5, offset: -1 });
        const want = ref.map((v) => v / 127.5 - 1);
        for (let i = 0; i < y.length; i++) expect(Math.abs(y[i] - want[i]), `${h}x${w} -> ${oh}x${ow} ${coord} at ${i}`).toBeLessThanOrEqual(1e-6);
        const raw = preprocess(img, { size: [oh, ow], coord, scale: 1, offset: 0 });
        expect(raw).toEqual(ref); // bit-exact with scale 1
      }
    }
  });

  it('same size is the identity; rejects bad sizes, data lengths and modes with ShapeError', () => {
    const img = randomImage(4, 3, 1);
    expect(preprocess(img, { size: [3, 4], coord: 'half_pixel', scale: 1, offset: 0 })).toEqual(Float32Array.from(img.data));
    expect(() => preprocess(img, { size: [0, 4], coord: 'legacy', scale: 1, offset: 0 })).toThrow(ShapeError);
    expect(() => preprocess({ ...img, data: img.data.subarray(1) }, { size: [2, 2], coord: 'legacy', scale: 1, offset: 0 })).toThrow(/35 bytes but 4x3 RGB needs 36/);
    expect(() => preprocess(img, { size: [2, 2], coord: 'bicubic' as 'legacy', scale: 1, offset: 0 })).toThrow(/'bicubic' is not one of 'legacy', 'align_corners', 'half_pixel'/);
  });
});

describe('resizePlane', () => {
  it('equals refResizeBilinear with one channel; checks its sizes', () => {
    const rnd = mulberry32(7);
    const src = Float32Array.from({ length: 6 * 5 }, () => rnd());
    for (const coord of MODES) {
      const ref = new Float32Array(12 * 10);
      refResizeBilinear(6, 5, 1, src, 1, 12, 10, ref, 1, MODE_CODE[coord]);
      expect(resizePlane(src, 6, 5, 12, 10, coord)).toEqual(ref);
    }
    // legacy 2x upscale puts source pixel (i, j) at output (2i, 2j): the round trip of the CLI's legacy downscale
    const up = resizePlane(src, 6, 5, 12, 10, 'legacy');
    for (let i = 0; i < 6; i++) for (let j = 0; j < 5; j++) expect(up[2 * i * 10 + 2 * j]).toBe(src[i * 5 + j]);
    expect(() => resizePlane(src, 6, 6, 12, 10, 'legacy')).toThrow(/30 values but 6x6 needs 36/);
    expect(() => resizePlane(src, 6, 5, -1, 10, 'legacy')).toThrow(ShapeError);
  });
});

describe('readImage / writePng', () => {
  it('PNG round trip: RGB exact, gray written as a 1-channel PNG and read back as RGB, RGBA read without alpha', async () => {
    const img = randomImage(9, 7, 3);
    const rgb = join(dir, 'rgb.png');
    await writePng(rgb, { ...img, channels: 3 });
    expect(await readImage(rgb)).toEqual(img);

    const gray = Uint8Array.from({ length: 9 * 7 }, (_, i) => (i * 37) % 256);
    const grayPath = join(dir, 'gray.png');
    await writePng(grayPath, { width: 9, height: 7, channels: 1, data: gray });
    const meta = await sharp(grayPath).metadata();
    expect([meta.format, meta.channels, meta.space, meta.width, meta.height]).toEqual(['png', 1, 'b-w', 9, 7]);
    const g = await readImage(grayPath);
    expect(g.data.length).toBe(9 * 7 * 3);
    for (let p = 0; p < 9 * 7; p++) expect([g.data[3 * p], g.data[3 * p + 1], g.data[3 * p + 2]]).toEqual([gray[p], gray[p], gray[p]]);

    const rgba = new Uint8Array(9 * 7 * 4);
    for (let p = 0; p < 9 * 7; p++) rgba.set([img.data[3 * p], img.data[3 * p + 1], img.data[3 * p + 2], p % 2 ? 0 : 255], 4 * p);
    const rgbaPath = join(dir, 'rgba.png');
    await writePng(rgbaPath, { width: 9, height: 7, channels: 4, data: rgba });
    expect((await sharp(rgbaPath).metadata()).channels).toBe(4);
    expect(await readImage(rgbaPath)).toEqual(img); // colour kept, alpha dropped (not composited)
  });

  it('reads JPEG (lossy, close) and lossless WebP (exact); the format is sniffed from the bytes, not the extension', async () => {
    const full = await readImage(ASTRONAUT);
    // the face, 160x128 (small: lossless WebP encoding is slow)
    const img: RgbImage = { width: 160, height: 128, data: new Uint8Array(160 * 128 * 3) };
    for (let y = 0; y < 128; y++) img.data.set(full.data.subarray(((60 + y) * 512 + 150) * 3, ((60 + y) * 512 + 310) * 3), y * 160 * 3);
    const raw = { raw: { width: img.width, height: img.height, channels: 3 as const } };
    const jpg = join(dir, 'face.jpg');
    await sharp(img.data, raw).jpeg({ quality: 95 }).toFile(jpg);
    const j = await readImage(jpg);
    expect([j.width, j.height]).toEqual([160, 128]);
    let sum = 0;
    for (let i = 0; i < j.data.length; i++) sum += Math.abs(j.data[i] - img.data[i]);
    expect(sum / j.data.length).toBeLessThan(4);
    const webp = join(dir, 'face.webp.bin');
    await sharp(img.data, raw).webp({ lossless: true }).toFile(join(dir, 'tmp.webp'));
    writeFileSync(webp, readFileSync(join(dir, 'tmp.webp')));
    expect(await readImage(webp)).toEqual(img);
    // EXIF orientation 6 (camera rotated): the pixels come back upright, as viewers show them
    const rotated = join(dir, 'face-exif6.jpg');
    await sharp(img.data, raw).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(rotated);
    const r = await readImage(rotated);
    expect([r.width, r.height]).toEqual([128, 160]);
  });

  it('bad images are ImageErrors naming the path and the problem', async () => {
    const png = readFileSync(ASTRONAUT);
    const p = (name: string, bytes?: Uint8Array | string) => {
      const f = join(dir, name);
      if (bytes !== undefined) writeFileSync(f, bytes);
      return f;
    };
    const missing = p('missing.png');
    await expectImageError(() => readImage(missing), /^image '.*missing\.png': no such file$/);
    const sub = join(dir, 'a-directory.png');
    mkdirSync(sub, { recursive: true });
    await expectImageError(() => readImage(sub), /a-directory\.png' is a directory, not an image file/);
    await expectImageError(() => readImage(p('empty.png', '')), /empty\.png' is empty \(0 bytes\)/);
    await expectImageError(() => readImage(p('truncated.png', png.subarray(0, 20000))), /truncated\.png' is a truncated PNG \(20000 bytes, no IEND chunk/);
    await expectImageError(() => readImage(p('header-only.png', png.subarray(0, 100))), /header-only\.png' is a truncated PNG/);
    await expectImageError(() => readImage(p('sig.png', png.subarray(0, 4))), /sig\.png' is a truncated PNG \(only the first bytes of the signature\)/);
    // PNG signature and IEND present, damaged data in between
    const corrupt = Buffer.from(png);
    for (let i = 200; i < 5000; i++) corrupt[i] = (i * 7919) & 0xff;
    await expectImageError(() => readImage(p('corrupt.png', corrupt)), /corrupt\.png' is a corrupt PNG file \(decoder: /);
    await expectImageError(() => readImage(p('garbage.png', Buffer.from([0x00, 0x13, 0x37, 0xfe, 0x80, 0x81, 0x82, 0x83, 0x84]))), /garbage\.png' is not a PNG, JPEG or WebP file \(starts with bytes 00 13 37 fe 80 81 82 83\); sepconv reads PNG, JPEG and WebP images$/);
    await expectImageError(() => readImage(p('notes.txt', 'hello, this is not an image\n')), /notes\.txt' is text, not an image; sepconv reads PNG, JPEG and WebP images/);
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } }).gif().toBuffer();
    await expectImageError(() => readImage(p('anim.gif', gif)), /anim\.gif' is a GIF image; sepconv reads PNG, JPEG and WebP images/);
    await expectImageError(() => readImage(p('logo.svg', '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')), /logo\.svg' is an SVG image; sepconv reads/);
    const jpg = await sharp(png).jpeg().toBuffer();
    await expectImageError(() => readImage(p('truncated.jpg', jpg.subarray(0, jpg.length >> 1))), /truncated\.jpg' is a truncated JPEG/);
  });

  it('writePng: a missing directory, a directory as target and inconsistent pixel data are ImageErrors', async () => {
    const px = { width: 2, height: 2, channels: 1 as const, data: new Uint8Array(4) };
    await expectImageError(() => writePng(join(dir, 'no-such-dir', 'mask.png'), px), /^cannot write PNG '.*mask\.png': directory '.*no-such-dir' does not exist$/);
    const sub = join(dir, 'out-dir');
    mkdirSync(sub, { recursive: true });
    await expectImageError(() => writePng(sub, px), /out-dir': it is a directory/);
    await expectImageError(() => writePng(join(dir, 'x.png'), { ...px, data: new Uint8Array(3) }), /pixel data has 3 bytes but 2x2x1 needs 4/);
    await expectImageError(() => writePng(join(dir, 'x.png'), { ...px, channels: 2 as 1 }), /channels 2 must be 1 \(gray\), 3 \(RGB\) or 4 \(RGBA\)/);
  });
});
