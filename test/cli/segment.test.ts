import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

// Runs the built CLI (npm test builds dist/ first) on examples/astronaut.png with the bundled
// models/selfie.sepconv, as a user would.
const run = (...args: string[]) => spawnSync(process.execPath, ['bin/sepconv.js', ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'sepconv-segment-'));
const PHOTO = 'examples/astronaut.png';
const f32 = (p: string): Float32Array => {
  const b = readFileSync(p);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** A PNG's pixels as written (no colour conversion) and its header facts. */
async function png(path: string) {
  const meta = await sharp(path).metadata();
  const { data, info } = await sharp(path).toColourspace(meta.channels === 1 ? 'b-w' : 'srgb').raw().toBuffer({ resolveWithObject: true });
  return { meta, data, width: info.width, height: info.height, channels: info.channels };
}

/** Share of pixels > 127 in [x0, x1) x [y0, y1) of a 1-channel image. */
function share(m: { data: Buffer; width: number }, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  let fg = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++, n++) if (m.data[y * m.width + x] > 127) fg++;
  return fg / n;
}

// Boxes chosen once by looking at the photo and the mask (512x512): the astronaut's head, neck
// ring and chest down the middle, x 160..290, y 40..500 (96 % foreground in the mask), and her
// orange suit below the shoulders, x 60..340, y 300..500 (100 %). The two top corners show the
// studio backdrop (left: above the flag, right: above the shuttle model): 0 %.
const HEAD_TO_CHEST = [160, 40, 290, 500] as const;
const SUIT = [60, 300, 340, 500] as const;
const TOP_LEFT = [0, 0, 40, 40] as const;
const TOP_RIGHT = [472, 0, 512, 40] as const;

describe('sepconv segment', () => {
  let r: ReturnType<typeof run>;
  const mask = join(dir, 'mask.png');
  const overlay = join(dir, 'overlay.png');
  beforeAll(() => {
    r = run('segment', PHOTO, '-o', mask, '--overlay', overlay);
  });

  it('writes a grayscale mask of the photo size: the person is foreground, the top corners background', async () => {
    expect(r.status, r.stderr).toBe(0);
    const m = await png(mask);
    expect([m.meta.format, m.meta.width, m.meta.height, m.meta.channels, m.meta.space, m.meta.depth]).toEqual(['png', 512, 512, 1, 'b-w', 'uchar']);
    expect(share(m, ...HEAD_TO_CHEST)).toBeGreaterThan(0.8);
    expect(share(m, ...SUIT)).toBeGreaterThan(0.8);
    expect(share(m, ...TOP_LEFT)).toBeLessThan(0.05);
    expect(share(m, ...TOP_RIGHT)).toBeLessThan(0.05);
    // soft mask: intermediate values along the outline
    expect(new Set(m.data).size).toBeGreaterThan(50);
  });

  it('the mask is the TF.js golden mask resized back: pixel (2i, 2j) = round(255 * golden[i, j]) within 2 levels', async () => {
    // the legacy 2x upscale puts mask pixel (i, j) on photo pixel (2i, 2j), the one the legacy
    // downscale sampled; the golden is TF.js 4.22 on the same preprocessed photo
    const m = await png(mask);
    const golden = f32('test/fixtures/tfjs/selfie/photo_astronaut.mask.bin');
    let worst = 0;
    for (let i = 0; i < 256; i++) for (let j = 0; j < 256; j++) worst = Math.max(worst, Math.abs(m.data[2 * i * 512 + 2 * j] - Math.round(255 * golden[i * 256 + j])));
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('prints the model, the foreground fraction and the time of every stage', () => {
    expect(r.stdout).toMatch(/^segmented examples\/astronaut\.png \(512x512\) with models\/selfie\.sepconv \(input_1 \[1,256,256,3\] -> activation_10 \[1,256,256,1\]\)$/m);
    expect(r.stdout).toMatch(/^ {2}mask +.*mask\.png \(512x512 gray, probability 0\.\.255\)$/m);
    expect(r.stdout).toMatch(/^ {2}overlay +.*overlay\.png \(512x512 RGB/m);
    expect(r.stdout).toMatch(/^ {2}foreground +\d+\.\d% of the pixels \(p >= 0\.5\)$/m);
    for (const stage of ['decode', 'load model', 'preprocess', 'inference', 'postprocess', 'write', 'total']) expect(r.stdout).toMatch(new RegExp(`^  ${stage} +\\d+\\.\\d ms$`, 'm'));
    expect(r.stderr).toBe('');
  });

  it('--overlay writes an RGB PNG of the photo size: person as in the photo, background darker', async () => {
    const o = await png(overlay);
    expect([o.meta.format, o.width, o.height, o.meta.channels]).toEqual(['png', 512, 512, 3]);
    const photo = await png(PHOTO);
    const mean = (img: { data: Buffer; width: number; channels: number }, [x0, y0, x1, y1]: readonly number[]) => {
      let s = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) for (let c = 0; c < 3; c++) s += img.data[(y * img.width + x) * img.channels + c];
      return s / ((x1 - x0) * (y1 - y0) * 3);
    };
    expect(Math.abs(mean(o, SUIT) - mean(photo, SUIT))).toBeLessThan(2);
    expect(mean(o, TOP_RIGHT)).toBeLessThan(0.6 * mean(photo, TOP_RIGHT));
  });

  it('--threshold writes a binary 0 / 255 mask; --json gives the same facts as JSON', async () => {
    const bin = join(dir, 'binary.png');
    const j = run('segment', PHOTO, '-o', bin, '--threshold', '0.5', '--json');
    expect(j.status, j.stderr).toBe(0);
    const out = JSON.parse(j.stdout);
    expect(out).toMatchObject({
      image: PHOTO, width: 512, height: 512, model: 'models/selfie.sepconv', mask: bin, overlay: null, threshold: 0.5, foregroundCut: 0.5,
      input: { name: 'input_1', shape: [1, 256, 256, 3] }, output: { name: 'activation_10', shape: [1, 256, 256, 1] },
    });
    expect(out.foreground).toBeGreaterThan(0.3);
    expect(out.foreground).toBeLessThan(0.8);
    for (const k of ['decode', 'loadModel', 'preprocess', 'inference', 'postprocess', 'write', 'total']) expect(out.timesMs[k]).toBeGreaterThanOrEqual(0);
    const m = await png(bin);
    expect(m.meta.channels).toBe(1);
    expect([...new Set(m.data)].sort((a, b) => a - b)).toEqual([0, 255]);
    // the printed fraction is the binary mask's foreground
    expect(m.data.filter((v) => v === 255).length / m.data.length).toBeCloseTo(out.foreground, 10);
    expect(share(m, ...HEAD_TO_CHEST)).toBeGreaterThan(0.8);
  });

  it('--model takes another segmentation model (the TF.js source of the bundled one)', () => {
    const j = run('segment', PHOTO, '-o', join(dir, 'mask-tfjs.png'), '--model', 'test/fixtures/tfjs/selfie/selfie.json', '--json');
    expect(j.status, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout).model).toBe('test/fixtures/tfjs/selfie/selfie.json');
  });

  describe('errors: exit 1 with one line', () => {
    const bad = (name: string, bytes: Uint8Array | string) => {
      const f = join(dir, name);
      writeFileSync(f, bytes);
      return f;
    };
    const photo = readFileSync(PHOTO);
    const corrupt = Buffer.from(photo);
    for (let i = 200; i < 5000; i++) corrupt[i] = (i * 7919) & 0xff;
    mkdirSync(join(dir, 'a-dir'), { recursive: true });
    const out = join(dir, 'err-mask.png');
    const cases: [string, string[], RegExp][] = [
      ['a missing image', ['segment', join(dir, 'nope.png'), '-o', out], /^sepconv: image '.*nope\.png': no such file$/],
      ['a directory', ['segment', join(dir, 'a-dir'), '-o', out], /^sepconv: image '.*a-dir' is a directory, not an image file$/],
      ['an empty file', ['segment', bad('empty.png', ''), '-o', out], /^sepconv: image '.*empty\.png' is empty \(0 bytes\)$/],
      ['a corrupt PNG', ['segment', bad('corrupt.png', corrupt), '-o', out], /^sepconv: image '.*corrupt\.png' is a corrupt PNG file \(decoder: .*\)$/],
      ['a truncated PNG', ['segment', bad('truncated.png', photo.subarray(0, 30000)), '-o', out], /^sepconv: image '.*truncated\.png' is a truncated PNG \(30000 bytes, no IEND chunk: the file ends early\)$/],
      ['a text file', ['segment', bad('photo.txt', 'not a photo\n'), '-o', out], /^sepconv: image '.*photo\.txt' is text, not an image; sepconv reads PNG, JPEG and WebP images$/],
      ['--threshold 2', ['segment', PHOTO, '-o', out, '--threshold', '2'], /^sepconv: --threshold must be a number from 0 to 1 \(a mask probability\), got '2'$/],
      ['--threshold x', ['segment', PHOTO, '-o', out, '--threshold', 'x'], /^sepconv: --threshold must be a number from 0 to 1 \(a mask probability\), got 'x'$/],
      ['-o in a missing directory', ['segment', PHOTO, '-o', join(dir, 'no-such-dir', 'mask.png')], /^sepconv: cannot write PNG '.*no-such-dir\/mask\.png': directory '.*no-such-dir' does not exist$/],
      ['--overlay in a missing directory', ['segment', PHOTO, '-o', out, '--overlay', join(dir, 'no-such-dir', 'o.png')], /^sepconv: cannot write PNG '.*o\.png': directory '.*no-such-dir' does not exist$/],
      ['a missing --model', ['segment', PHOTO, '-o', out, '--model', join(dir, 'none.sepconv')], /^sepconv: cannot read model '.*none\.sepconv': no such file$/],
      [
        'a classifier as --model',
        ['segment', PHOTO, '-o', out, '--model', 'test/fixtures/nsfwjs/mobilenet_v2/model.min.js'],
        /^sepconv: model 'test\/fixtures\/nsfwjs\/mobilenet_v2\/model\.min\.js' is not a segmentation model: sepconv segment needs one input \[1,H,W,3\] \(RGB\) and one output \[1,H,W,1\] \(a mask\), but it has inputs input_1 \[1,224,224,3\] and outputs dense_3 \[1,5\]$/,
      ],
    ];
    for (const [what, args, message] of cases) {
      it(what, () => {
        const e = run(...args);
        expect(e.status, e.stderr).toBe(1);
        expect(e.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(e.stderr.trimEnd()).toMatch(message);
        expect(e.stdout).toBe('');
      });
    }

    it('missing -o: commander names the option (exit 1)', () => {
      const e = run('segment', PHOTO);
      expect(e.status).toBe(1);
      expect(e.stderr.split('\n')[0]).toBe("error: required option '-o, --output <mask.png>' not specified");
    });

    it('nothing is written when the input is bad', () => {
      expect(() => readFileSync(out)).toThrow();
    });
  });

  it('--help has examples', () => {
    const h = run('segment', '--help');
    expect(h.status).toBe(0);
    expect(h.stdout).toContain('$ sepconv segment photo.jpg -o mask.png');
    expect(h.stdout).toContain('--threshold <t>');
    expect(h.stdout).toContain('--overlay <overlay.png>');
  });
});
