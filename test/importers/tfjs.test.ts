import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError, ShapeError, UnsupportedOpError } from '../../src/errors.js';
import { importTfjsGraphModel, loadTfjsModel, type TfjsModelJson } from '../../src/importers/tfjs/index.js';
import { Session } from '../../src/runtime/index.js';
import { expectClose } from '../helpers/kernels.js';

const F = 'test/fixtures/tfjs';
const f32 = (p: string): Float32Array => {
  const b = readFileSync(p);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** Parity with TF.js 4.22 tfjs-backend-cpu goldens: max|Δ| <= 1e-4 * max|golden| for every saved output. */
const TOL = 1e-4;

const MODELS = [
  {
    key: 'selfie', file: `${F}/selfie/selfie.json`, input: 'input_1',
    outputs: { activation_10: 'mask', segment_add: 'logits' },
  },
  {
    key: 'posenet', file: `${F}/posenet/posenet.json`, input: 'image',
    outputs: {
      'MobilenetV1/heatmap_2/BiasAdd': 'heatmap', 'MobilenetV1/offset_2/BiasAdd': 'offset',
      'MobilenetV1/displacement_fwd_2/BiasAdd': 'displacement_fwd', 'MobilenetV1/displacement_bwd_2/BiasAdd': 'displacement_bwd',
    },
  },
] as const;

describe('TF.js graph models vs TF.js CPU goldens', () => {
  for (const m of MODELS) {
    for (const variant of ['simd', 'relaxed'] as const) {
      it(`${m.key} (${variant} build): every output on the random and the photo input`, async () => {
        const g = await loadTfjsModel(m.file, { outputs: Object.keys(m.outputs) });
        const s = await Session.create(g, { variant });
        for (const c of ['random', 'photo_astronaut']) {
          const x = f32(`${F}/${m.key}/${c}.input.bin`);
          const out = await s.run({ [m.input]: { data: x, shape: s.inputs[m.input] } });
          for (const [tensor, file] of Object.entries(m.outputs)) {
            expectClose(out[tensor].data, f32(`${F}/${m.key}/${c}.${file}.bin`), `${m.key} ${c} ${tensor}`, TOL);
          }
        }
      });
    }
  }

  it('nsfwjs MobileNetV2 1.4 (graph-model, uint8-quantized, UMD .min.js): probs, logits and features on the random and the photo input, both builds, same top-1', async () => {
    const dir = 'test/fixtures/nsfwjs/mobilenet_v2_mid';
    const FEAT = 'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/feature_vector/SpatialSqueeze';
    const outputs = { Identity: 'probs', 'StatefulPartitionedCall/sequential/dense/BiasAdd': 'logits', [FEAT]: 'features' };
    const argmax = (a: Float32Array) => a.indexOf(Math.max(...a));
    for (const variant of ['simd', 'relaxed'] as const) {
      const s = await Session.create(`${dir}/model.min.js`, { outputs: Object.keys(outputs), variant });
      expect(s.outputs).toEqual({ Identity: [1, 5], 'StatefulPartitionedCall/sequential/dense/BiasAdd': [1, 5], [FEAT]: [1, 1792] });
      for (const c of ['random', 'photo_chelsea']) {
        // the goldens were computed from the MobileNetV2 1.0 fixture's preprocessed inputs
        const x = f32(`test/fixtures/nsfwjs/mobilenet_v2/${c}.input.bin`);
        const out = await s.run({ input: { data: x, shape: [1, 224, 224, 3] } });
        for (const [tensor, file] of Object.entries(outputs)) {
          expectClose(out[tensor].data, f32(`${dir}/${c}.${file}.bin`), `mid ${variant} ${c} ${file}`, TOL);
        }
        expect(argmax(out.Identity.data)).toBe(argmax(f32(`${dir}/${c}.probs.bin`)));
      }
      s.release();
    }
    // batch 2 through inputShapes (the model's batch is -1): each image gives its own golden
    const s2 = await Session.create(`${dir}/model.min.js`, { outputs: ['Identity'], inputShapes: { input: [2, 224, 224, 3] } });
    const xs = ['random', 'photo_chelsea'].map((c) => f32(`test/fixtures/nsfwjs/mobilenet_v2/${c}.input.bin`));
    const both = new Float32Array(xs[0].length * 2);
    both.set(xs[0]);
    both.set(xs[1], xs[0].length);
    const out = await s2.run({ input: { data: both, shape: [2, 224, 224, 3] } });
    expect(out.Identity.shape).toEqual([2, 5]);
    expectClose(out.Identity.data.subarray(0, 5), f32(`${dir}/random.probs.bin`), 'mid batch 2 random', TOL);
    expectClose(out.Identity.data.subarray(5), f32(`${dir}/photo_chelsea.probs.bin`), 'mid batch 2 photo', TOL);
  });

  it('the graph passes leave no elementwise chains in the real models (h-swish, h-sigmoid, SE, biases all fused)', async () => {
    // selfie: float16 1/6 constants -> hswish + scale folded into the next convs; what is left
    // is the SE gates, the skip additions of the decoder and one stem scale that feeds a skip.
    const s = await Session.create(`${F}/selfie/selfie.json`);
    const count = (op: string) => s.plan.steps.filter((st) => st.op === op).length;
    expect(s.plan.steps.filter((st) => st.op === 'Activation')).toEqual([]);
    expect(count('Mul')).toBe(11);
    const mid = await Session.create('test/fixtures/nsfwjs/mobilenet_v2_mid/model.min.js');
    expect(mid.plan.steps.map((st) => st.op).filter((op) => !['Conv2D', 'DepthwiseConv2D', 'GlobalAvgPool', 'FullyConnected', 'Softmax'].includes(op))).toEqual(['Mul', 'Add']);
  });

  it('selfie uses the signature output by default', async () => {
    const s = await Session.create(await loadTfjsModel(`${F}/selfie/selfie.json`));
    expect(s.outputNames).toEqual(['activation_10']);
    expect(s.outputs.activation_10).toEqual([1, 256, 256, 1]);
  });
});

describe('TF.js importer errors', () => {
  const json = JSON.parse(readFileSync(`${F}/selfie/selfie.json`, 'utf8')) as TfjsModelJson;
  const bin = new Uint8Array(readFileSync(`${F}/selfie/selfie.bin`));

  it('an unsupported op inside the requested subgraph is an UnsupportedOpError naming op, node and the supported list', () => {
    const bad = structuredClone(json);
    const n = bad.modelTopology.node.find((x) => x.op === 'Sigmoid')!;
    n.op = 'Erf';
    expect(() => importTfjsGraphModel(bad, bin)).toThrow(UnsupportedOpError);
    expect(() => importTfjsGraphModel(bad, bin)).toThrow(new RegExp(`node '${n.name}' \\(Erf\\).*supported TF.js ops: Placeholder, Const`));
  });

  it('ops outside the requested outputs are never looked at', () => {
    const bad = structuredClone(json);
    bad.modelTopology.node.find((x) => x.name === 'activation_10')!.op = 'Erf';
    const g = importTfjsGraphModel(bad, bin, { outputs: ['segment_add'] });
    expect(g.outputs).toEqual(['segment_add']);
  });

  it('unknown input dimensions need inputShapes (a clear ShapeError otherwise); an unknown batch defaults to 1', () => {
    const free = structuredClone(json);
    const ph = free.modelTopology.node.find((x) => x.op === 'Placeholder')!;
    (ph.attr as Record<string, unknown>).shape = { shape: { dim: [{ size: '-1' }, { size: '-1' }, { size: '-1' }, { size: '3' }] } };
    expect(() => importTfjsGraphModel(free, bin)).toThrow(ShapeError);
    expect(() => importTfjsGraphModel(free, bin)).toThrow(/input 'input_1' has unknown dimensions \[-1,-1,-1,3\]; give its shape with the inputShapes option/);
    expect(() => importTfjsGraphModel(free, bin, { inputShapes: { input_1: [1, 256, 256, 4] } })).toThrow(/does not fit the model's input shape \[-1,-1,-1,3\]/);
    expect(importTfjsGraphModel(free, bin, { inputShapes: { input_1: [2, 256, 256, 3] } }).inputs).toEqual([{ name: 'input_1', shape: [2, 256, 256, 3] }]);
  });

  it('truncated weights and a non-model JSON are FormatErrors', async () => {
    expect(() => importTfjsGraphModel(json, bin.subarray(0, 1000))).toThrow(FormatError);
    expect(() => importTfjsGraphModel(json, bin.subarray(0, 1000))).toThrow(/a shard is missing or truncated/);
    expect(() => importTfjsGraphModel({} as TfjsModelJson, bin)).toThrow(/not a TF.js graph model/);
    await expect(loadTfjsModel('test/fixtures/tfjs/nope/model.json')).rejects.toThrow(/no such file/);
  });
});

describe('Session.create with TF.js sources', () => {
  it('accepts a model.json path, a file: URL and an in-memory { modelJson, weights }', async () => {
    const { pathToFileURL } = await import('node:url');
    const { resolve } = await import('node:path');
    const x = f32(`${F}/selfie/random.input.bin`);
    const want = f32(`${F}/selfie/random.logits.bin`);
    const json = JSON.parse(readFileSync(`${F}/selfie/selfie.json`, 'utf8'));
    const weights = new Uint8Array(readFileSync(`${F}/selfie/selfie.bin`));
    for (const src of [`${F}/selfie/selfie.json`, pathToFileURL(resolve(`${F}/selfie/selfie.json`)), { modelJson: json, weights }]) {
      const s = await Session.create(src, { outputs: ['segment_add'] });
      const out = await s.run({ input_1: { data: x, shape: [1, 256, 256, 3] } });
      expectClose(out.segment_add.data, want, 'selfie logits', TOL);
    }
  });
});
