import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePreprocess, imageInput } from '../../src/cli/classify.js';
import { parseShapeArg, sanitizeName } from '../../src/cli/run.js';
import { readImage } from '../../src/image/index.js';
import { exportOnnx } from '../../src/importers/onnx/index.js';
import { Session } from '../../src/runtime/index.js';
import { readNpy, writeNpy } from '../../src/util/npy.js';
import { writeSepconv } from '../../src/format/index.js';
import { GraphBuilder, mobilenetV2 } from '../../src/zoo/index.js';
import { expectClose } from '../helpers/kernels.js';

// Runs the built CLI (npm test builds dist/ first) as a user would: `sepconv classify` against the
// nsfwjs TF.js CPU goldens of chelsea.png, `sepconv run` against the selfie goldens of astronaut.png
// (test/fixtures/*/PROVENANCE.md), and an ONNX zoo export against a Session on the same input.
const BIN = resolve('bin/sepconv.js');
const run = (args: string[], cwd?: string) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd });
const f32 = (p: string): Float32Array => {
  const b = readFileSync(p);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const dir = mkdtempSync(join(tmpdir(), 'sepconv-classify-run-'));

const CHELSEA = 'test/fixtures/images/chelsea.png';
const ASTRONAUT = 'examples/astronaut.png';
const NSFW = 'test/fixtures/nsfwjs/mobilenet_v2/model.min.js';
const NSFW_MID = 'test/fixtures/nsfwjs/mobilenet_v2_mid/model.min.js';
const LABELS = 'test/fixtures/nsfwjs/labels.txt';
const NSFW_PRE = 'scale=1/255,resize=224x224,align_corners';
const SELFIE = 'test/fixtures/tfjs/selfie/selfie.json';
const SELFIE_IN = 'test/fixtures/tfjs/selfie/photo_astronaut.input.bin';
const SELFIE_MASK = 'test/fixtures/tfjs/selfie/photo_astronaut.mask.bin';
const SELFIE_LOGITS = 'test/fixtures/tfjs/selfie/photo_astronaut.logits.bin';

/** A one-line `sepconv: ...` message on stderr, exit 1, nothing on stdout. */
function expectUsageError(args: string[], msg: RegExp, cwd?: string): void {
  const r = run(args, cwd);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(1);
  expect(r.stderr).toMatch(msg);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  if (r.stderr.startsWith('sepconv: ')) expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stdout).toBe('');
}

/** MobileNetV2 0.5 / 128 (seeded weights) as ONNX, with the logits and the softmax as outputs. */
function onnxModel(): string {
  const file = join(dir, 'mbv2.onnx');
  if (!existsSync(file)) {
    const g = mobilenetV2({ width: 0.5, resolution: 128 });
    writeFileSync(file, exportOnnx({ ...g, outputs: ['logits', ...g.outputs] }));
  }
  return file;
}

describe('--preprocess specs', () => {
  it('parses every item; defaults scale=1/255, legacy, the model size', () => {
    expect(parsePreprocess(undefined)).toEqual({ coord: 'legacy', scale: 1 / 255, offset: 0, bgr: false });
    expect(parsePreprocess('scale=1/255,resize=224x224,align_corners')).toEqual({ coord: 'align_corners', scale: 1 / 255, offset: 0, bgr: false, size: [224, 224] });
    expect(parsePreprocess(' scale = 1/127.5 , offset=-1, half_pixel, resize=192x256 ,')).toEqual({ coord: 'half_pixel', scale: 1 / 127.5, offset: -1, bgr: false, size: [192, 256] });
    expect(parsePreprocess('resize=160,mean=0.485:0.456:0.406,std=0.5,bgr,scale=2e-3')).toEqual({ coord: 'legacy', scale: 2e-3, offset: 0, bgr: true, size: [160, 160], mean: [0.485, 0.456, 0.406], std: [0.5] });
  });

  it('a bad item is an E_USAGE error naming it', () => {
    const cases: [string, RegExp][] = [
      ['scale=abc', /'scale=abc' needs a number or a fraction/],
      ['scale=1/0', /'scale=1\/0' needs a number/],
      ['offset', /'offset' needs a number/],
      ['resize=224', /^(?!)/], // valid (square); checked below
      ['resize=224x', /'resize=224x' needs a size <height>x<width>/],
      ['resize=0x224', /'resize=0x224' needs a size/],
      ['align_corners,half_pixel', /'half_pixel' conflicts with 'align_corners'/],
      ['mean=1:2', /'mean=1:2' needs one number or three/],
      ['std=1:0:1', /'std=1:0:1' has a zero divisor/],
      ['scale=1,scale=2', /'scale=2' sets 'scale' twice/],
      ['bgr=1', /'bgr=1' takes no value/],
      ['normalize', /'normalize' is not a preprocessing item; expected scale=/],
    ];
    for (const [spec, msg] of cases) {
      if (spec === 'resize=224') {
        expect(parsePreprocess(spec).size).toEqual([224, 224]);
        continue;
      }
      try {
        parsePreprocess(spec);
        throw new Error(`no error for ${spec}`);
      } catch (e) {
        expect((e as { code?: string }).code, spec).toBe('E_USAGE');
        expect((e as Error).message).toMatch(new RegExp(`^--preprocess '${spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}': `));
        expect((e as Error).message).toMatch(msg);
      }
    }
  });

  it('mean / std / bgr act per channel after scale and offset', () => {
    const img = { width: 1, height: 1, data: new Uint8Array([255, 0, 51]) };
    const x = imageInput(img, parsePreprocess('scale=1/255,mean=0.5:0.25:0,std=0.5:0.25:0.1,bgr'), [1, 1]);
    expect(Array.from(x).map((v) => Number(v.toFixed(5)))).toEqual([2, -1, 1]); // B, G, R
  });

  it('--shape and output file names', () => {
    expect(parseShapeArg('1x224x224x3')).toEqual({ name: undefined, shape: [1, 224, 224, 3] });
    expect(parseShapeArg('a:0=1,3,8,8')).toEqual({ name: 'a:0', shape: [1, 3, 8, 8] });
    expect(() => parseShapeArg('1x-1x3')).toThrow(/--shape '1x-1x3': expected 1x224x224x3/);
    expect(() => parseShapeArg('x=')).toThrow(/expected/);
    expect(sanitizeName('StatefulPartitionedCall/sequential/dense/BiasAdd')).toBe('StatefulPartitionedCall_sequential_dense_BiasAdd');
    expect(sanitizeName('../x:0')).toBe('_._x_0');
  });
});

describe('sepconv classify', () => {
  const golden = f32('test/fixtures/nsfwjs/mobilenet_v2/photo_chelsea.probs.bin');
  const labels = readFileSync(LABELS, 'utf8').trim().split('\n');
  const argmax = golden.indexOf(Math.max(...golden));

  it('nsfwjs MobileNetV2 on chelsea.png: the golden top-1, every probability within 1e-3 of TF.js', () => {
    const r = run(['classify', CHELSEA, '--model', NSFW, '--labels', LABELS, '--preprocess', NSFW_PRE]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`model ${NSFW}: input 'input_1' [1,224,224,3], output 'dense_3' [1,5] (probabilities)`);
    expect(lines[1]).toBe('preprocess resize 224x224 align_corners, x * 0.00392157 + 0');
    expect(lines[3]).toBe(`${CHELSEA} (451x300)`);
    const rows = lines.slice(4).map((l) => l.match(/^ +(\d)\. (\w+) +(\d\.\d{4})$/)!);
    expect(rows).toHaveLength(5);
    expect(rows.every(Boolean)).toBe(true);
    expect(rows[0][2]).toBe(labels[argmax]);
    for (const [, rank, label, p] of rows) {
      expect(Math.abs(Number(p) - golden[labels.indexOf(label)]), `${rank}. ${label}`).toBeLessThan(1e-3);
    }
    expect(rows.map((m) => Number(m[3]))).toEqual(rows.map((m) => Number(m[3])).sort((a, b) => b - a));
  });

  it('--json: several images, --top, indices without --labels; the graph-model build (logits + softmax) agrees', () => {
    const r = run(['classify', CHELSEA, ASTRONAUT, '--model', NSFW, '--preprocess', NSFW_PRE, '--top', '2', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ model: NSFW, input: { name: 'input_1', shape: [1, 224, 224, 3] }, output: { name: 'dense_3', shape: [1, 5] }, softmax: false, preprocess: { size: [224, 224], coord: 'align_corners', scale: 1 / 255, offset: 0, bgr: false } });
    expect(j.results.map((x: { image: string }) => x.image)).toEqual([CHELSEA, ASTRONAUT]);
    expect(j.results[1]).toMatchObject({ width: 512, height: 512 });
    const top = j.results[0].top;
    expect(top).toHaveLength(2);
    expect(top[0]).toMatchObject({ index: argmax, label: String(argmax) });
    for (const t of top) expect(Math.abs(t.probability - golden[t.index])).toBeLessThan(1e-3);

    // the 1.4 graph-model: its logits tensor is not a probability vector -> softmax, said so
    const midGolden = f32('test/fixtures/nsfwjs/mobilenet_v2_mid/photo_chelsea.probs.bin');
    const logits = 'StatefulPartitionedCall/sequential/dense/BiasAdd';
    const m = run(['classify', CHELSEA, '-m', NSFW_MID, '-l', LABELS, '-p', NSFW_PRE, '--output', logits]);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toContain(`output '${logits}' [1,5] (not probabilities: softmax applied)`);
    const mj = JSON.parse(run(['classify', CHELSEA, '-m', NSFW_MID, '-p', NSFW_PRE, '--output', logits, '--top', '5', '--json']).stdout);
    expect(mj.softmax).toBe(true);
    for (const t of mj.results[0].top) expect(Math.abs(t.probability - midGolden[t.index])).toBeLessThan(1e-3);
  });

  it('ONNX (NCHW) model: fed NHWC images, logits -> softmax equals the model\'s own softmax; --no-softmax prints raw values', async () => {
    const model = onnxModel();
    const s = await Session.create(model, { layout: 'nhwc' });
    const x = imageInput(await readImage(CHELSEA), parsePreprocess('scale=1/127.5,offset=-1,half_pixel'), [128, 128]);
    const ref = await s.run({ input: { data: x, shape: [1, 128, 128, 3] } });
    s.release();
    const pre = ['--preprocess', 'scale=1/127.5,offset=-1,half_pixel'];
    const check = (top: { index: number; probability: number }[], ref: Float32Array, tol: number) => {
      const kth = [...ref].sort((a, b) => b - a)[top.length - 1];
      for (const t of top) {
        expect(Math.abs(t.probability - ref[t.index])).toBeLessThan(tol);
        expect(ref[t.index]).toBeGreaterThanOrEqual(kth - tol);
      }
    };
    const viaLogits = JSON.parse(run(['classify', CHELSEA, '-m', model, '--output', 'logits', ...pre, '--json']).stdout);
    expect(viaLogits).toMatchObject({ input: { shape: [1, 128, 128, 3] }, output: { name: 'logits', shape: [1, 1000] }, softmax: true });
    check(viaLogits.results[0].top, ref.softmax.data, 1e-6);
    const viaSoftmax = JSON.parse(run(['classify', CHELSEA, '-m', model, '--output', 'softmax', ...pre, '--json']).stdout);
    expect(viaSoftmax.softmax).toBe(false);
    check(viaSoftmax.results[0].top, ref.softmax.data, 1e-6);
    const raw = JSON.parse(run(['classify', CHELSEA, '-m', model, '--output', 'logits', ...pre, '--no-softmax', '--json', '--top', '3']).stdout);
    expect(raw).toMatchObject({ softmax: false, raw: true });
    check(raw.results[0].top, ref.logits.data, 1e-4);
    // two outputs and no --output
    expectUsageError(['classify', CHELSEA, '-m', model], /^sepconv: .*mbv2\.onnx has 2 outputs \('logits' \[1,1000\], 'softmax' \[1,1000\]\); choose the class scores with --output <name>$/m);
  });

  it('inputs of unknown size take the resize= size', () => {
    const m = JSON.parse(readFileSync(SELFIE, 'utf8'));
    for (const n of m.modelTopology.node) if (n.op === 'Placeholder') n.attr.shape.shape.dim = [{ size: '-1' }, { size: '-1' }, { size: '-1' }, { size: '3' }];
    delete m.signature;
    writeFileSync(join(dir, 'selfie-dyn.json'), JSON.stringify(m));
    copyFileSync('test/fixtures/tfjs/selfie/selfie.bin', join(dir, 'selfie.bin'));
    expectUsageError(['classify', CHELSEA, '-m', join(dir, 'selfie-dyn.json')], /input 'input_1' has unknown dimensions \[-1,-1,-1,3\]; give the image size with --preprocess "resize=<H>x<W>"/);
    // sized by resize=: loads, then refuses the segmentation output
    expectUsageError(['classify', CHELSEA, '-m', join(dir, 'selfie-dyn.json'), '-p', 'resize=256x256'], /output 'activation_10' has shape \[1,256,256,1\]; classify needs class scores of shape \[1,K\]/);
  });

  it('bad input: one line on stderr, exit 1', () => {
    writeFileSync(join(dir, 'labels3.txt'), 'a\nb\nc\n');
    const cases: [string[], RegExp][] = [
      [['classify', CHELSEA], /required option '-m, --model <file>' not specified/],
      [['classify', '--model', NSFW], /missing required argument 'image'/],
      [['classify', CHELSEA, '-m', NSFW, '-p', 'resize=224x224,scale=x'], /^sepconv: --preprocess 'resize=224x224,scale=x': 'scale=x' needs a number or a fraction/],
      [['classify', CHELSEA, '-m', NSFW, '-p', 'resize=200x200'], /--preprocess resize=200x200 does not match the model's input 'input_1' \[1,224,224,3\] \(224x224\)/],
      [['classify', CHELSEA, '-m', NSFW, '--top', '0'], /--top must be a positive integer, got '0'/],
      [['classify', CHELSEA, '-m', NSFW, '-l', join(dir, 'labels3.txt')], /labels3\.txt has 3 labels but output 'dense_3' has 5 classes/],
      [['classify', CHELSEA, '-m', NSFW, '-l', join(dir, 'nope.txt')], /cannot read labels '.*nope\.txt': no such file/],
      [['classify', join(dir, 'nope.png'), '-m', NSFW], /nope\.png'?: no such file/],
      [['classify', 'README.md', '-m', NSFW], /README\.md'? is not a PNG, JPEG or WebP file/],
      [['classify', CHELSEA, '-m', join(dir, 'nope.json')], /cannot read .*nope\.json'?: no such file/],
      [['classify', CHELSEA, '-m', SELFIE], /output 'activation_10' has shape \[1,256,256,1\]; classify needs class scores/],
      [['classify', CHELSEA, '-m', NSFW, '--output', 'nosuch'], /'nosuch'/],
    ];
    for (const [args, msg] of cases) expectUsageError(args, msg);
  });

  it('--help: what the output means, the preprocess items, examples', () => {
    const r = run(['classify', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: sepconv classify \[options\] <image\.\.\.>/);
    expect(r.stdout).toMatch(/softmax is applied/);
    expect(r.stdout).toMatch(/align_corners/);
    expect(r.stdout).toMatch(/mean=<r>:<g>:<b>/);
    expect(r.stdout).toMatch(/Examples:\n {2}\$ sepconv classify cat\.png --model/);
  });
});

describe('sepconv run', () => {
  it('selfie on the golden raw input: the saved .npy equals the TF.js mask (1e-4); default dir outputs/', () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    const r = run(['run', resolve(SELFIE), '--input', resolve(SELFIE_IN)], cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(join(cwd, 'outputs'))).toEqual(['activation_10.npy']);
    const a = readNpy(readFileSync(join(cwd, 'outputs/activation_10.npy')));
    expect(a.shape).toEqual([1, 256, 256, 1]);
    expectClose(a.data, f32(SELFIE_MASK), 'run selfie .bin', 1e-4);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^model ${resolve(SELFIE).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(NHWC I/O\\), ran in [\\d.]+ ms$`));
    expect(lines[1]).toBe(`input  input_1 [1,256,256,3] <- ${resolve(SELFIE_IN)} (raw float32)`);
    expect(lines[2]).toMatch(/^output +shape +min +max +mean +saved$/);
    const m = lines[3].match(/^activation_10 +\[1,256,256,1\] +(\S+) +(\S+) +(\S+) +outputs\/activation_10\.npy$/)!;
    expect(m).toBeTruthy();
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of a.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    expect(Number(m[1])).toBeCloseTo(min, 5);
    expect(Number(m[2])).toBeCloseTo(max, 5);
    expect(Math.abs(Number(m[3]) - sum / a.data.length)).toBeLessThan(1e-5);
  });

  it('an image input (resized to the input size, / 255) gives the golden mask; --json, --outputs, sanitized names', () => {
    const out = join(dir, 'img');
    const r = run(['run', SELFIE, '-i', ASTRONAUT, '--outputs', 'activation_10,segment_add', '-o', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ model: SELFIE, layout: 'nhwc', inputs: [{ name: 'input_1', shape: [1, 256, 256, 3], file: ASTRONAUT, kind: 'image', preprocess: 'resize 256x256 legacy, x * 0.00392157 + 0' }] });
    expect(j.outputs.map((o: { name: string; file: string }) => [o.name, o.file])).toEqual([['activation_10', join(out, 'activation_10.npy')], ['segment_add', join(out, 'segment_add.npy')]]);
    expect(typeof j.ms).toBe('number');
    const mask = readNpy(readFileSync(join(out, 'activation_10.npy')));
    expectClose(mask.data, f32(SELFIE_MASK), 'run selfie image mask', 1e-4);
    const logits = readNpy(readFileSync(join(out, 'segment_add.npy')));
    expectClose(logits.data, f32(SELFIE_LOGITS), 'run selfie image logits', 1e-4);
    const o = j.outputs[1];
    expect(o.min).toBe(Math.min(...logits.data));
    expect(o.max).toBe(Math.max(...logits.data));
    expect(o.mean).toBeCloseTo(logits.data.reduce((a, b) => a + b, 0) / logits.data.length, 4);
    expect(o.nonFinite).toBe(0);

    // graph-model tensor names with '/' -> file names with '_'; a .npy input (as numpy writes it)
    const npy = join(dir, 'chelsea.npy');
    writeFileSync(npy, writeNpy(f32('test/fixtures/nsfwjs/mobilenet_v2/photo_chelsea.input.bin'), [1, 224, 224, 3]));
    const logitsName = 'StatefulPartitionedCall/sequential/dense/BiasAdd';
    const n = run(['run', NSFW_MID, '--input', `input=${npy}`, '--outputs', `${logitsName},Identity`, '--output-dir', join(dir, 'mid')]);
    expect(n.status, n.stderr).toBe(0);
    expect(n.stdout).toContain(`input  input [1,224,224,3] <- ${npy} (.npy)`);
    expect(readdirSync(join(dir, 'mid')).sort()).toEqual(['Identity.npy', 'StatefulPartitionedCall_sequential_dense_BiasAdd.npy']);
    expectClose(readNpy(readFileSync(join(dir, 'mid/StatefulPartitionedCall_sequential_dense_BiasAdd.npy'))).data, f32('test/fixtures/nsfwjs/mobilenet_v2_mid/photo_chelsea.logits.bin'), 'run nsfwjs mid logits', 1e-4);
  });

  it('ONNX models: NCHW .npy in and out by default, images transposed; --layout nhwc', async () => {
    const model = onnxModel();
    const s = await Session.create(model); // NCHW
    const x = imageInput(await readImage(CHELSEA), parsePreprocess(undefined), [128, 128]);
    const xChw = new Float32Array(x.length);
    for (let p = 0; p < 128 * 128; p++) for (let c = 0; c < 3; c++) xChw[c * 128 * 128 + p] = x[p * 3 + c];
    const ref = await s.run({ input: { data: xChw, shape: [1, 3, 128, 128] } });
    s.release();
    const viaImage = join(dir, 'onnx-img');
    const r = run(['run', model, '--input', CHELSEA, '--output-dir', viaImage]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\(NCHW I\/O\)/);
    expect(r.stdout).toContain(`input  input [1,3,128,128] <- ${CHELSEA} (image: resize 128x128 legacy, x * 0.00392157 + 0)`);
    expectClose(readNpy(readFileSync(join(viaImage, 'logits.npy'))).data, ref.logits.data, 'onnx image logits', 1e-5);
    // the same input as an NCHW .npy
    writeFileSync(join(dir, 'chw.npy'), writeNpy(xChw, [1, 3, 128, 128]));
    const viaNpy = join(dir, 'onnx-npy');
    expect(run(['run', model, '--input', join(dir, 'chw.npy'), '-o', viaNpy]).status).toBe(0);
    expectClose(readNpy(readFileSync(join(viaNpy, 'softmax.npy'))).data, ref.softmax.data, 'onnx npy softmax', 1e-5);
    // an NHWC .npy with --layout nhwc
    writeFileSync(join(dir, 'hwc.npy'), writeNpy(x, [1, 128, 128, 3]));
    const j = JSON.parse(run(['run', model, '--input', join(dir, 'hwc.npy'), '--layout', 'nhwc', '--no-save', '--json']).stdout);
    expect(j).toMatchObject({ layout: 'nhwc', inputs: [{ shape: [1, 128, 128, 3], kind: 'npy' }] });
    expect(j.outputs[0].file).toBeUndefined();
    expect(j.outputs[1].max).toBeCloseTo(Math.max(...ref.softmax.data), 6);
    expectUsageError(['run', model, '--input', join(dir, 'hwc.npy'), '--no-save'], /hwc\.npy: the array has shape \[1,128,128,3\] but input 'input' is \[1,3,128,128\] \(NCHW\)/);
  });

  it('--shape sizes inputs of unknown dimensions; --no-save writes nothing', () => {
    const m = JSON.parse(readFileSync(SELFIE, 'utf8'));
    for (const n of m.modelTopology.node) if (n.op === 'Placeholder') n.attr.shape.shape.dim = [{ size: '-1' }, { size: '-1' }, { size: '-1' }, { size: '3' }];
    delete m.signature;
    const dyn = join(dir, 'dyn', 'selfie.json');
    mkdirSync(join(dir, 'dyn'), { recursive: true });
    writeFileSync(dyn, JSON.stringify(m));
    copyFileSync('test/fixtures/tfjs/selfie/selfie.bin', join(dir, 'dyn', 'selfie.bin'));
    expectUsageError(['run', dyn, '--input', SELFIE_IN], /input 'input_1' has unknown dimensions \[-1,-1,-1,3\]; give its shape with --shape input_1=1x224x224x3$/m);
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    const r = run(['run', dyn, '--input', resolve(SELFIE_IN), '--shape', '1x256x256x3', '--no-save', '--json'], cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).inputs[0].shape).toEqual([1, 256, 256, 3]);
    expect(readdirSync(cwd)).toEqual([]);
    expect(run(['run', dyn, '--input', resolve(SELFIE_IN), '--shape', 'input_1=1x256x256x3', '--no-save']).status).toBe(0);
  });

  it('two inputs given by name (.npy and raw), an image for a 3-channel one; a bare file or a missing one is an error', () => {
    // y = relu(a + b) on [1,4,4,3], z = a * b: a .sepconv written by the test
    const b = new GraphBuilder('two', 1);
    b.input('a', [1, 4, 4, 3]);
    b.input('b:0', [1, 4, 4, 3]);
    const g = b.build([b.add('a', 'b:0', 'y', 'relu'), b.mul('a', 'b:0', 'z')]);
    const model = join(dir, 'two.sepconv');
    writeFileSync(model, writeSepconv(g));
    const a = Float32Array.from({ length: 48 }, (_, i) => i - 20);
    const bb = Float32Array.from({ length: 48 }, (_, i) => (i % 5) - 2);
    writeFileSync(join(dir, 'a.npy'), writeNpy(a, [1, 4, 4, 3]));
    writeFileSync(join(dir, 'b.bin'), new Uint8Array(bb.buffer));
    const out = join(dir, 'two-out');
    const r = run(['run', model, '--input', `b:0=${join(dir, 'b.bin')}`, '--input', `a=${join(dir, 'a.npy')}`, '-o', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.inputs.map((i: { name: string; kind: string }) => [i.name, i.kind])).toEqual([['a', 'npy'], ['b:0', 'raw']]);
    expect(Array.from(readNpy(readFileSync(join(out, 'y.npy'))).data)).toEqual(Array.from(a, (v, i) => Math.max(0, v + bb[i])));
    expect(Array.from(readNpy(readFileSync(join(out, 'z.npy'))).data)).toEqual(Array.from(a, (v, i) => v * bb[i]));
    expect(j.outputs[1]).toMatchObject({ name: 'z', shape: [1, 4, 4, 3], min: Math.min(...Array.from(a, (v, i) => v * bb[i])) });
    // an image resized to 4x4 for 'a'
    const img = run(['run', model, '--input', `a=${CHELSEA}`, '--input', `b:0=${join(dir, 'b.bin')}`, '--no-save', '--json']);
    expect(img.status, img.stderr).toBe(0);
    expect(JSON.parse(img.stdout).inputs[0]).toMatchObject({ kind: 'image', preprocess: 'resize 4x4 legacy, x * 0.00392157 + 0' });
    expectUsageError(['run', model, '--input', join(dir, 'a.npy')], /--input '.*a\.npy': this model has 2 inputs \('a' \[1,4,4,3\], 'b:0' \[1,4,4,3\]\); give each as --input name=file/);
    expectUsageError(['run', model, '--input', `a=${join(dir, 'a.npy')}`], /missing input 'b:0' \[1,4,4,3\]: give it with --input b:0=<file>/);
    expectUsageError(['run', model, '--input', `c=${join(dir, 'a.npy')}`], /'c' is not an input of this model; its inputs are 'a' \[1,4,4,3\], 'b:0' \[1,4,4,3\]/);
  });

  it('bad input: one line on stderr, exit 1', () => {
    const short = join(dir, 'short.bin');
    writeFileSync(short, new Uint8Array(1002));
    const wrongNpy = join(dir, 'wrong.npy');
    writeFileSync(wrongNpy, writeNpy(new Float32Array(224 * 224 * 3), [1, 224, 224, 3]));
    const badNpy = join(dir, 'bad.npy');
    writeFileSync(badNpy, writeNpy(new Float32Array(256 * 256 * 3), [1, 256, 256, 3]).subarray(0, 5000));
    const o = ['--output-dir', join(dir, 'err')];
    const cases: [string[], RegExp][] = [
      [['run', SELFIE, ...o], /^sepconv: no input: give one with --input <file>/],
      [['run', SELFIE, '--input', short, ...o], /short\.bin: 1002 bytes, but input 'input_1' \[1,256,256,3\] needs 196608 float32 values = 786432 bytes$/m],
      [['run', SELFIE, '--input', wrongNpy, ...o], /wrong\.npy: the array has shape \[1,224,224,3\] but input 'input_1' is \[1,256,256,3\] \(NHWC\)/],
      [['run', SELFIE, '--input', badNpy, ...o], /bad\.npy: not a valid \.npy file: shape \(1, 256, 256, 3\) of '<f4' needs 786432 bytes of data but the file has 4872 \(truncated\)/],
      [['run', SELFIE, '--input', join(dir, 'missing.npy'), ...o], /cannot read '.*missing\.npy' for input 'input_1': no such file/],
      [['run', SELFIE, '--input', join(dir, 'missing.png'), ...o], /missing\.png'?: no such file/],
      [['run', SELFIE, '--input', 'README.md', ...o], /README\.md'? is not a PNG, JPEG or WebP file/],
      [['run', SELFIE, '--input', `foo=${SELFIE_IN}`, ...o], /--input 'foo=.*': 'foo' is not an input of this model \(and no file is named 'foo=.*'\); its inputs are 'input_1' \[1,256,256,3\]/],
      [['run', SELFIE, '--input', SELFIE_IN, '--input', `input_1=${SELFIE_IN}`, ...o], /input 'input_1' is given twice/],
      [['run', SELFIE, '--input', SELFIE_IN, '--outputs', 'nosuch', ...o], /'nosuch' is not a node of this model/],
      [['run', SELFIE, '--input', SELFIE_IN, '--shape', '1xax3', ...o], /--shape '1xax3': expected 1x224x224x3 or name=1x224x224x3/],
      [['run', SELFIE, '--input', SELFIE_IN, '--shape', '1x224x224x3', ...o], /--shape 1x224x224x3 does not match input 'input_1', whose shape \[1,256,256,3\] is fixed by the model/],
      [['run', SELFIE, '--input', SELFIE_IN, '--shape', 'input_1=1x224x224x3', ...o], /--shape input_1=1x224x224x3 does not fit the model's input shape \[1,256,256,3\]/],
      [['run', SELFIE, '--input', SELFIE_IN, '--preprocess', 'scale=1/255', ...o], /--preprocess applies to image inputs, and no --input is an image/],
      [['run', SELFIE, '--input', ASTRONAUT, '--preprocess', 'resize=2x', ...o], /--preprocess 'resize=2x': 'resize=2x' needs a size/],
      [['run', SELFIE, '--input', ASTRONAUT, '--preprocess', 'resize=224x224', ...o], /--preprocess resize=224x224 does not match input 'input_1' \[1,256,256,3\] \(256x256\)/],
      [['run', SELFIE, '--input', SELFIE_IN, '--layout', 'nwhc', ...o], /--layout must be nchw or nhwc, got 'nwhc'/],
      [['run', NSFW_MID, '--input', SELFIE_IN, '--outputs', 'Identity', ...o], /photo_astronaut\.input\.bin: 786432 bytes, but input 'input' \[1,224,224,3\] needs 150528 float32 values = 602112 bytes \(the file holds 196608 values\)/],
      [['run', join(dir, 'nope.onnx'), '--input', SELFIE_IN, ...o], /cannot read model '.*nope\.onnx': no such file/],
      [['run', SELFIE, '--input', SELFIE_IN, '--output-dir', 'README.md'], /cannot create --output-dir 'README\.md': EEXIST/],
    ];
    for (const [args, msg] of cases) expectUsageError(args, msg);
    expect(existsSync(join(dir, 'err'))).toBe(false); // nothing written before the run succeeds
  });

  it('--help: inputs, preprocess items, examples', () => {
    const r = run(['run', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: sepconv run \[options\] <model>/);
    expect(r.stdout).toMatch(/-o, --output-dir <dir> +where to write <output name>\.npy/);
    expect(r.stdout).toMatch(/\(default: "outputs"\)/);
    expect(r.stdout).toMatch(/Examples:\n {2}\$ sepconv run selfie\.json --input photo\.png/);
  });
});
