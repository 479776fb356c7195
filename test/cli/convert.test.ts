import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/runtime/index.js';
import { expectClose } from '../helpers/kernels.js';

// Runs the built CLI (npm test builds dist/ first) as a user would, then checks the written
// .sepconv files against the TF.js 4.22 CPU goldens (test/fixtures/*/PROVENANCE.md).
const run = (...args: string[]) => spawnSync(process.execPath, ['bin/sepconv.js', ...args], { encoding: 'utf8' });
const f32 = (p: string): Float32Array => {
  const b = readFileSync(p);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const dir = mkdtempSync(join(tmpdir(), 'sepconv-convert-'));

const MODELS = [
  {
    key: 'selfie', src: 'test/fixtures/tfjs/selfie/selfie.json', input: 'input_1', inputDir: 'test/fixtures/tfjs/selfie', cases: ['random', 'photo_astronaut'],
    outputs: { activation_10: 'test/fixtures/tfjs/selfie/{case}.mask.bin', segment_add: 'test/fixtures/tfjs/selfie/{case}.logits.bin' },
  },
  {
    key: 'posenet', src: 'test/fixtures/tfjs/posenet/posenet.json', input: 'image', inputDir: 'test/fixtures/tfjs/posenet', cases: ['random', 'photo_astronaut'],
    outputs: { 'MobilenetV1/heatmap_2/BiasAdd': 'test/fixtures/tfjs/posenet/{case}.heatmap.bin', 'MobilenetV1/offset_2/BiasAdd': 'test/fixtures/tfjs/posenet/{case}.offset.bin' },
  },
  {
    key: 'nsfwjs_v2', src: 'test/fixtures/nsfwjs/mobilenet_v2/model.min.js', input: 'input_1', inputDir: 'test/fixtures/nsfwjs/mobilenet_v2', cases: ['random', 'photo_chelsea'],
    outputs: { out_relu: 'test/fixtures/nsfwjs/mobilenet_v2/{case}.out_relu.bin', dense_3: 'test/fixtures/nsfwjs/mobilenet_v2/{case}.probs.bin' },
  },
  {
    key: 'nsfwjs_mid', src: 'test/fixtures/nsfwjs/mobilenet_v2_mid/model.min.js', input: 'input', inputDir: 'test/fixtures/nsfwjs/mobilenet_v2', cases: ['random', 'photo_chelsea'],
    outputs: { Identity: 'test/fixtures/nsfwjs/mobilenet_v2_mid/{case}.probs.bin', 'StatefulPartitionedCall/sequential/dense/BiasAdd': 'test/fixtures/nsfwjs/mobilenet_v2_mid/{case}.logits.bin' },
  },
] as const;

describe('sepconv convert', () => {
  for (const m of MODELS) {
    it(`${m.key}: float32 within 1e-4 and --fp16 within 1e-3 of the goldens, fp16 file smaller`, async () => {
      const sizes: Record<string, number> = {};
      for (const [flag, tol] of [[[], 1e-4], [['--fp16'], 1e-3]] as const) {
        const file = join(dir, `${m.key}${flag.length ? '-fp16' : ''}.sepconv`);
        const r = run('convert', m.src, '-o', file, '--outputs', Object.keys(m.outputs).join(','), ...flag);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`converted .* -> ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        expect(r.stdout).toMatch(/params +[\d,]+, [\d.]+M MACs/);
        sizes[flag.length ? 'fp16' : 'fp32'] = statSync(file).size;
        const s = await Session.create(file);
        for (const c of m.cases) {
          const x = f32(`${m.inputDir}/${c}.input.bin`);
          const out = await s.run({ [m.input]: { data: x, shape: s.inputs[m.input] } });
          for (const [t, golden] of Object.entries(m.outputs)) expectClose(out[t].data, f32(golden.replace('{case}', c)), `${m.key} ${flag.join('')} ${c} ${t}`, tol);
        }
      }
      // selfie's weights are float16 already (exact, half the bytes); nsfwjs' are uint8 (stay
      // uint8, exact, a quarter); posenet's float32 weights mostly stay float32 (see next test)
      const ratio = { selfie: [0.45, 0.6], nsfwjs_v2: [0.2, 0.3], nsfwjs_mid: [0.2, 0.3], posenet: [0.5, 0.95] }[m.key];
      expect(sizes.fp16 / sizes.fp32).toBeGreaterThan(ratio[0]);
      expect(sizes.fp16 / sizes.fp32).toBeLessThan(ratio[1]);
    }, 60_000);
  }

  it('prints what it fused (selfie: the float16 h-swish spelling, biases, activations) and --json gives the same summary', () => {
    const r = run('convert', 'test/fixtures/tfjs/selfie/selfie.json', '-o', join(dir, 's.sepconv'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ops +224 -> \d+ nodes: Conv2D 44, .*DepthToSpace 1/);
    expect(r.stdout).toMatch(/fused +11 h-swish patterns, \d+ per-channel scales folded into weights, 54 bias adds folded/);
    expect(r.stdout).toMatch(/size +0\.\d\d MiB -> 0\.\d\d MiB \(float32 weights\)/);
    const j = JSON.parse(run('convert', 'test/fixtures/tfjs/selfie/selfie.json', '-o', join(dir, 's2.sepconv'), '--json').stdout);
    expect(j).toMatchObject({ format: 'TF.js graph-model', dtype: 'float32', inputs: { input_1: [1, 256, 256, 3] }, outputs: ['activation_10'], params: 103480 });
    expect(j.fused).toContain('11 h-swish patterns');
    expect(j.bytes.after).toBe(statSync(join(dir, 's2.sepconv')).size);
  });

  it('--fp16 says which weights it stored how, and keeps float32 where float16 would break the tolerance', () => {
    const sel = JSON.parse(run('convert', 'test/fixtures/tfjs/selfie/selfie.json', '-o', join(dir, 'h.sepconv'), '--fp16', '--json').stdout);
    expect(sel.precision.counts).toEqual({ float16: 55 });
    expect(sel.precision.keptFloat32).toEqual([]);
    const nsfw = JSON.parse(run('convert', 'test/fixtures/nsfwjs/mobilenet_v2/model.min.js', '-o', join(dir, 'n.sepconv'), '--fp16', '--json').stdout);
    expect(nsfw.precision.counts).toEqual({ uint8: 55 });
    // posenet (float32 weights): float16 everywhere moves its heads by ~1e-2 of their range
    const r = run('convert', 'test/fixtures/tfjs/posenet/posenet.json', '-o', join(dir, 'p.sepconv'), '--fp16');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/weights +\d+ float32, \d+ float16 \(float16 everywhere would move the outputs by [\d.]+e-[23] of their range; kept float32: \d+\); output change on random probes [\d.]+e-4/);
    const forced = JSON.parse(run('convert', 'test/fixtures/tfjs/posenet/posenet.json', '-o', join(dir, 'pf.sepconv'), '--fp16', '--fp16-tolerance', 'none', '--json').stdout);
    expect(forced.precision.counts).toEqual({ float16: 31 });
    expect(forced.bytes.after / statSync(join(dir, 'p.sepconv')).size).toBeLessThan(0.75);
  }, 60_000);

  it('--input-shape sets unknown input dimensions (batch 2 here); --no-optimize keeps the imported graph', async () => {
    const file = join(dir, 'mid-b2.sepconv');
    const r = run('convert', 'test/fixtures/nsfwjs/mobilenet_v2_mid/model.min.js', '-o', file, '--input-shape', 'input=2x224x224x3', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).inputs).toEqual({ input: [2, 224, 224, 3] });
    expect((await Session.create(file)).inputs.input).toEqual([2, 224, 224, 3]);
    const raw = JSON.parse(run('convert', 'test/fixtures/tfjs/selfie/selfie.json', '-o', join(dir, 'raw.sepconv'), '--no-optimize', '--json').stdout);
    expect(raw.nodes.after).toBe(raw.nodes.before);
    expect(raw.fused).toEqual([]);
  });

  it('an ONNX model converts with its NCHW I/O contract kept (the .sepconv session answers like the .onnx one)', async () => {
    const { writeFileSync } = await import('node:fs');
    const { buildZooModel } = await import('../../src/zoo/index.js');
    const { exportOnnx } = await import('../../src/importers/onnx/index.js');
    const onnx = join(dir, 'snv2.onnx');
    writeFileSync(onnx, exportOnnx(buildZooModel('shufflenet_v2', { width: 0.5, resolution: 96 })));
    const out = join(dir, 'snv2.sepconv');
    const r = run('convert', onnx, '-o', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ format: 'ONNX', layout: 'NCHW', inputs: { input: [1, 3, 96, 96] } });
    const [a, b] = await Promise.all([Session.create(onnx), Session.create(out)]);
    expect(b.layout).toBe('nchw');
    expect(b.inputs).toEqual(a.inputs);
    const x = Float32Array.from({ length: 3 * 96 * 96 }, (_, i) => Math.sin(i * 0.37));
    const [ya, yb] = await Promise.all([a.run({ input: { data: x, shape: [1, 3, 96, 96] } }), b.run({ input: { data: x, shape: [1, 3, 96, 96] } })]);
    for (const k of Object.keys(ya)) expectClose(yb[k].data, ya[k].data, `onnx vs converted ${k}`, 1e-5);
  });

  it('bad input: one line on stderr, exit 1, no stack trace', () => {
    const cases: [string[], RegExp][] = [
      [['convert', 'nope/model.json', '-o', join(dir, 'x.sepconv')], /cannot read '.*nope\/model\.json': no such file/],
      [['convert', 'test/fixtures/tfjs/selfie/selfie.json', '-o', join(dir, 'x.sepconv'), '--outputs', 'not_a_node'], /'not_a_node' is not a node of this model/],
      [['convert', 'test/fixtures/tfjs/selfie/selfie.json', '-o', join(dir, 'x.sepconv'), '--input-shape', 'input_1=1xax3'], /--input-shape 'input_1=1xax3'/],
      [['convert', 'test/fixtures/tfjs/selfie/selfie.json', '-o', join(dir, 'no-dir', 'x.sepconv')], /cannot write/],
      [['convert', 'test/fixtures/tfjs/selfie/selfie.json'], /required option '-o, --output <file>'/],
      [['convert', 'test/fixtures/tfjs/selfie/selfie.json', '-o', join(dir, 'x.sepconv'), '--fp16', '--fp16-tolerance', '-1'], /--fp16-tolerance must be a positive number or 'none', got '-1'/],
    ];
    for (const [args, msg] of cases) {
      const r = run(...args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
