import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError, ShapeError, UnsupportedOpError } from '../../src/errors.js';
import {
  decodeBase64, importTfjsLayersModel, importTfjsModel, loadTfjsModel, parseUmdExport, parseUmdModelJson, parseUmdShard, readTfjsModelFiles,
} from '../../src/importers/tfjs/index.js';
import { Session } from '../../src/runtime/index.js';
import { mulberry32 } from '../../src/util/random.js';
import { expectClose } from '../helpers/kernels.js';
import * as H from './keras-helpers.js';

const N = 'test/fixtures/nsfwjs';

describe('UMD model modules (nsfwjs packaging), parsed without evaluation', () => {
  const wrap = (body: string) => `!function(e){module.exports=e()}(function(){return function e(a,n,i){return 0}({1:[function(e,a,n){${body}},{}]},{},[1])(1)});`;

  it('reads JS object literals: unquoted / quoted keys, !0 / !1, .5 / -.5 / 1e-3 numbers, null, strings with escapes', () => {
    const v = parseUmdExport(wrap(`a.exports={x:!0,y:!1,"in:0":{z:[.5,-.5,1e-3,-2E+2,0x10,null]},s:'it\\'s "q" \\u00e9\\n',t:"",u:void 0,v:[],w:{}}`), 'm.js');
    expect(v).toEqual({ x: true, y: false, 'in:0': { z: [0.5, -0.5, 1e-3, -200, 16, null] }, s: 'it\'s "q" é\n', t: '', u: undefined, v: [], w: {} });
  });

  it('a __proto__ key is a plain property (no prototype change)', () => {
    const v = parseUmdExport(wrap('a.exports={__proto__:{polluted:1}}'), 'm.js') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect((v as { polluted?: number }).polluted).toBeUndefined();
  });

  it('code in place of data is a FormatError, never run', () => {
    (globalThis as { __umdRan?: boolean }).__umdRan = false;
    for (const body of [
      'a.exports={x:(globalThis.__umdRan=true)}',
      'a.exports={x:1}+function(){globalThis.__umdRan=true}()',
      'a.exports={x:`tpl`}',
      'a.exports={x:1',
      'a.exports="abc',
      'a.exports={x:1};a.exports={y:2}',
      'a.exports=require("x")',
    ]) {
      expect(() => parseUmdExport(wrap(body), 'evil.min.js'), body).toThrow(FormatError);
    }
    expect((globalThis as { __umdRan?: boolean }).__umdRan).toBe(false);
  });

  it('a file that is not a UMD module, or exports the wrong kind of literal, is a FormatError naming the file and what was expected', () => {
    expect(() => parseUmdModelJson('console.log(1)', 'x/model.min.js')).toThrow(/x\/model\.min\.js: not a UMD model module: expected .*exports = <object or string literal>/);
    expect(() => parseUmdModelJson(wrap('a.exports="QUJD"'), 'model.min.js')).toThrow(/exports a string of 4 characters; expected the model.json object/);
    expect(() => parseUmdShard(wrap('a.exports={}'), 'shard.min.js')).toThrow(/shard\.min\.js: the module exports an object; expected a base64 string/);
    expect(() => parseUmdShard(wrap('a.exports="QU*D"'), 'shard.min.js')).toThrow(/not base64 \(character "\*" at offset 2\)/);
  });

  it('base64 decoding matches Buffer on every padding length', () => {
    for (let n = 0; n < 9; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 89 + 7) & 255);
      const s = Buffer.from(bytes).toString('base64');
      expect(decodeBase64(s, 't'), s).toEqual(bytes);
      expect(decodeBase64(s.replace(/=+$/, ''), 't')).toEqual(bytes);
    }
  });

  it('nsfwjs model.min.js + group1-shard*.min.js: manifest paths without extension map to <path>.min.js', async () => {
    const lay = await readTfjsModelFiles(`${N}/mobilenet_v2/model.min.js`);
    expect((lay.modelJson.modelTopology as { model_config: { class_name: string } }).model_config.class_name).toBe('Model');
    expect(lay.weights.length).toBe(2619461);
    const mid = await readTfjsModelFiles(new URL(`../../${N}/mobilenet_v2_mid/model.min.js`, import.meta.url));
    expect(mid.modelJson.format).toBe('graph-model');
    expect(mid.weights.length).toBe(4194304 + 106471);
    const layers = (lay.modelJson.modelTopology as { model_config: { config: { layers: { class_name: string; config: { sparse?: boolean } }[] } } }).model_config.config.layers;
    expect(layers[0]).toMatchObject({ class_name: 'InputLayer', config: { sparse: false, batch_input_shape: [null, 224, 224, 3] } });
  });
});

// ---------------------------------------------------------------------------------------------
// nsfwjs MobileNetV2 1.0 (Keras layers-model, uint8-quantized weights) vs TF.js 4.22 CPU goldens

const f32 = (p: string): Float32Array => {
  const b = readFileSync(p);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const argmax = (a: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
};
const maxAbs = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};
/** Parity with TF.js 4.22 tfjs-backend-cpu goldens: max|Δ| <= 1e-4 * max|golden|. */
const TOL = 1e-4;
const MB2 = `${N}/mobilenet_v2`;
const GOLDEN_OUT = { out_relu: 'out_relu', 'dense_3/dense_3': 'probs' } as const;

describe('nsfwjs MobileNetV2 layers model vs TF.js CPU goldens', () => {
  for (const variant of ['simd', 'relaxed'] as const) {
    it(`model.min.js path, ${variant} build: out_relu [1,7,7,1280] and the probabilities [1,5] on the random and the photo input`, async () => {
      const s = await Session.create(`${MB2}/model.min.js`, { outputs: Object.keys(GOLDEN_OUT), variant });
      expect(s.inputs).toEqual({ input_1: [1, 224, 224, 3] });
      expect(s.outputs).toEqual({ out_relu: [1, 7, 7, 1280], 'dense_3/dense_3': [1, 5] });
      for (const c of ['random', 'photo_chelsea']) {
        const out = await s.run({ input_1: { data: f32(`${MB2}/${c}.input.bin`), shape: [1, 224, 224, 3] } });
        for (const [tensor, file] of Object.entries(GOLDEN_OUT)) {
          const ref = f32(`${MB2}/${c}.${file}.bin`);
          const err = expectClose(out[tensor].data, ref, `nsfwjs mobilenet_v2 ${variant} ${c} ${tensor}`, TOL);
          console.log(`nsfwjs mobilenet_v2 ${variant} ${c} ${tensor}: max|d|/max|ref| = ${(err / maxAbs(ref)).toExponential(2)}`);
        }
        expect(argmax(out['dense_3/dense_3'].data)).toBe(argmax(f32(`${MB2}/${c}.probs.bin`)));
      }
      s.release();
    });
  }

  it('in-memory {modelJson, weights} source; default output is the output layer dense_3; both output spellings agree', async () => {
    const { modelJson, weights } = await readTfjsModelFiles(`${MB2}/model.min.js`);
    const def = await Session.create({ modelJson, weights }, { variant: 'simd' });
    expect(def.outputNames).toEqual(['dense_3']);
    const s = await Session.create({ modelJson, weights: new Uint8Array(weights).buffer }, { outputs: ['dense_3', 'dense_3/dense_3', 'dropout_3'], variant: 'simd' });
    const x = f32(`${MB2}/photo_chelsea.input.bin`);
    const out = await s.run({ input_1: { data: x, shape: [1, 224, 224, 3] } });
    const ref = f32(`${MB2}/photo_chelsea.probs.bin`);
    expectClose(out.dense_3.data, ref, 'dense_3', TOL);
    expect(out['dense_3/dense_3'].data).toEqual(out.dense_3.data);
    expect(out.dropout_3.shape).toEqual([1, 128]);
    expectClose((await def.run({ input_1: { data: x, shape: [1, 224, 224, 3] } })).dense_3.data, ref, 'default output', TOL);
  });

  it('the graph passes fold every BatchNorm, ZeroPadding2D and ReLU6 into the convolutions', async () => {
    const s = await Session.create(`${MB2}/model.min.js`, { variant: 'simd' });
    const ops = s.plan.steps.map((st) => st.op);
    expect(ops.filter((op) => !['Conv2D', 'DepthwiseConv2D', 'Add', 'GlobalAvgPool', 'AvgPool', 'Flatten', 'FullyConnected', 'Softmax'].includes(op))).toEqual([]);
    expect(ops.filter((op) => op === 'Conv2D').length).toBe(35);
    expect(ops.filter((op) => op === 'DepthwiseConv2D').length).toBe(17);
  });
});

// ---------------------------------------------------------------------------------------------
// Layers the real model does not use: tiny hand-written models vs the reference loops of keras-helpers.ts

const rand = mulberry32(20240607);
const rnd = (shape: number[], lo = -1, hi = 1): H.T => H.tensor(shape, () => lo + (hi - lo) * rand());
/** Layer outputs are compared with max|Δ| <= 1e-5 * max|ref| (float32 sums of a few hundred terms). */
const SMALL_TOL = 1e-5;

async function runAndCompare(model: ReturnType<typeof H.layersModel>, x: H.T, refs: Record<string, H.T>, label: string, outputs = Object.keys(refs)): Promise<void> {
  for (const variant of ['simd', 'relaxed'] as const) {
    const s = await Session.create(model, { outputs, variant });
    const input = s.inputNames[0];
    expect(s.inputs[input]).toEqual(x.shape);
    const out = await s.run({ [input]: { data: x.data, shape: x.shape } });
    for (const o of outputs) {
      expect(out[o].shape, `${label} ${o} shape`).toEqual(refs[o].shape);
      expectClose(out[o].data, refs[o].data, `${label} ${variant} ${o}`, SMALL_TOL);
    }
    s.release();
  }
}

describe('layers importer on hand-written models (reference: straightforward loops in the test)', () => {
  it('SeparableConv2D, Conv2DTranspose (same / valid / k < s), grouped dilated Conv2D with hard_sigmoid, DepthwiseConv2D, BatchNormalization(center=false)', async () => {
    const x = rnd([1, 9, 9, 4]);
    const w = {
      sepDw: rnd([3, 3, 4, 1]), sepPw: rnd([1, 1, 4, 6]), sepB: rnd([6], -0.2, 0.2),
      dc: rnd([3, 3, 3, 6]), dcB: rnd([3], -0.2, 0.2), dcv: rnd([3, 3, 2, 6]), dk1: rnd([1, 1, 2, 6]), dk1B: rnd([2]),
      g: rnd([3, 3, 2, 6]), gB: rnd([6], -0.2, 0.2), dw: rnd([3, 3, 4, 1]), dwB: rnd([4], -0.2, 0.2),
      gamma: rnd([4], 0.5, 1.5), mean: rnd([4], -0.3, 0.3), variance: rnd([4], 0.5, 1.5),
    };
    const model = H.layersModel(
      [
        { class_name: 'InputLayer', name: 'x', config: { batch_input_shape: [null, 9, 9, 4] } },
        { class_name: 'SeparableConv2D', name: 'sep', in: ['x'], config: { filters: 6, kernel_size: [3, 3], strides: [2, 2], padding: 'same', activation: 'relu6', use_bias: true, depth_multiplier: 1 } },
        { class_name: 'Conv2DTranspose', name: 'deconv', in: ['sep'], config: { filters: 3, kernel_size: 3, strides: 2, padding: 'same', activation: 'swish', use_bias: true } },
        { class_name: 'Conv2DTranspose', name: 'deconv_v', in: ['sep'], config: { filters: 2, kernel_size: [3, 3], strides: [2, 2], padding: 'valid', use_bias: false } },
        { class_name: 'Conv2DTranspose', name: 'deconv_k1', in: ['sep'], config: { filters: 2, kernel_size: [1, 1], strides: [2, 2], padding: 'valid', use_bias: true } },
        { class_name: 'Conv2D', name: 'gconv', in: ['x'], config: { filters: 6, kernel_size: [3, 3], strides: [1, 1], dilation_rate: [2, 2], groups: 2, padding: 'same', activation: 'hard_sigmoid', use_bias: true } },
        { class_name: 'DepthwiseConv2D', name: 'dw', in: ['x'], config: { kernel_size: [3, 3], strides: [2, 2], padding: 'valid', activation: 'relu', use_bias: true, depth_multiplier: 1 } },
        { class_name: 'BatchNormalization', name: 'bn', in: ['dw'], config: { axis: -1, epsilon: 0.01, center: false, scale: true } },
      ],
      [
        ['sep/depthwise_kernel', w.sepDw], ['sep/pointwise_kernel', w.sepPw], ['sep/bias', w.sepB],
        ['deconv/kernel', w.dc], ['deconv/bias', w.dcB], ['deconv_v/kernel', w.dcv], ['deconv_k1/kernel', w.dk1], ['deconv_k1/bias', w.dk1B],
        ['gconv/kernel', w.g], ['gconv/bias', w.gB], ['dw/depthwise_kernel', w.dw], ['dw/bias', w.dwB],
        ['bn/gamma', w.gamma], ['bn/moving_mean', w.mean], ['bn/moving_variance', w.variance],
      ],
      ['x'],
      ['deconv', 'deconv_v', 'deconv_k1', 'gconv', 'bn'],
    );
    const sep = H.map(H.conv2d(H.depthwise(x, w.sepDw, null, [2, 2], [1, 1], 'same'), w.sepPw, w.sepB.data, [1, 1], [1, 1], 'valid'), H.relu6);
    const dw = H.map(H.depthwise(x, w.dw, w.dwB.data, [2, 2], [1, 1], 'valid'), (v) => Math.max(0, v));
    const refs = {
      sep,
      deconv: H.map(H.conv2dTranspose(sep, w.dc, w.dcB.data, [2, 2], 'same'), H.swish),
      deconv_v: H.conv2dTranspose(sep, w.dcv, null, [2, 2], 'valid'),
      deconv_k1: H.conv2dTranspose(sep, w.dk1, w.dk1B.data, [2, 2], 'valid'),
      gconv: H.map(H.conv2d(x, w.g, w.gB.data, [1, 1], [2, 2], 'same', 2), H.hardSigmoid),
      dw,
      bn: H.batchNorm(dw, w.gamma.data, new Float32Array(4), w.mean.data, w.variance.data, 0.01),
    };
    expect(refs.deconv.shape).toEqual([1, 10, 10, 3]);
    expect(refs.deconv_v.shape).toEqual([1, 11, 11, 2]);
    expect(refs.deconv_k1.shape).toEqual([1, 10, 10, 2]);
    await runAndCompare(model, x, refs, 'conv family');
    // only the model outputs: the passes fuse what they can (BatchNorm into dw, the 1.2 scale, activations)
    await runAndCompare(model, x, refs, 'conv family (outputs only)', ['deconv', 'deconv_v', 'deconv_k1', 'gconv', 'bn']);
  });

  it('MaxPooling2D / AveragePooling2D (same, valid), Activation hard_sigmoid / swish, Concatenate, Dropout, GlobalAveragePooling2D, Reshape, Multiply, UpSampling2D (nearest, bilinear), Flatten, Dense softmax', async () => {
    const x = rnd([1, 8, 8, 3]);
    const k1 = rnd([3, 3, 3, 4]);
    const b1 = rnd([4], -0.5, 0.5);
    const kd = rnd([192, 5], -0.2, 0.2);
    const bd = rnd([5], -0.2, 0.2);
    const model = H.layersModel(
      [
        { class_name: 'InputLayer', name: 'img', config: { batch_input_shape: [null, 8, 8, 3] } },
        { class_name: 'Conv2D', name: 'c1', in: ['img'], config: { filters: 4, kernel_size: 3, padding: 'same', use_bias: true, activation: 'linear' } },
        { class_name: 'Activation', name: 'hs', in: ['c1'], config: { activation: 'hard_sigmoid' } },
        { class_name: 'Activation', name: 'sw', in: ['c1'], config: { activation: 'swish' } },
        { class_name: 'MaxPooling2D', name: 'mp', in: ['hs'], config: { pool_size: [3, 3], strides: [2, 2], padding: 'same' } },
        { class_name: 'AveragePooling2D', name: 'ap', in: ['sw'], config: { pool_size: [3, 3], strides: [2, 2], padding: 'same' } },
        { class_name: 'AveragePooling2D', name: 'ap_v', in: ['sw'], config: { pool_size: [2, 2], strides: null, padding: 'valid' } },
        { class_name: 'Concatenate', name: 'cat', in: ['mp', 'ap', 'ap_v'], config: { axis: -1 } },
        { class_name: 'Dropout', name: 'drop', in: ['cat'], config: { rate: 0.5 } },
        { class_name: 'GlobalAveragePooling2D', name: 'gap', in: ['drop'], config: {} },
        { class_name: 'Reshape', name: 'rs', in: ['gap'], config: { target_shape: [1, 1, 12] } },
        { class_name: 'Multiply', name: 'se', in: ['drop', 'rs'], config: {} },
        { class_name: 'UpSampling2D', name: 'up', in: ['se'], config: { size: [2, 2], interpolation: 'nearest' } },
        { class_name: 'UpSampling2D', name: 'upb', in: ['cat'], config: { size: [2, 3], interpolation: 'bilinear' } },
        { class_name: 'Reshape', name: 'rs2', in: ['gap'], config: { target_shape: [4, -1] } },
        { class_name: 'Flatten', name: 'fl', in: ['se'], config: {} },
        { class_name: 'Dense', name: 'd', in: ['fl'], config: { units: 5, activation: 'softmax', use_bias: true } },
      ],
      [['c1/kernel', k1], ['c1/bias', b1], ['d/kernel', kd], ['d/bias', bd]],
      ['img'],
      ['d', 'up', 'upb', 'rs2'],
    );
    const c1 = H.conv2d(x, k1, b1.data, [1, 1], [1, 1], 'same');
    const hs = H.map(c1, H.hardSigmoid);
    const sw = H.map(c1, H.swish);
    const cat = H.concat([H.pool(hs, 'max', [3, 3], [2, 2], 'same'), H.pool(sw, 'avg', [3, 3], [2, 2], 'same'), H.pool(sw, 'avg', [2, 2], [2, 2], 'valid')]);
    const gap = H.globalAvg(cat);
    const se = H.gate(cat, { shape: [1, 1, 1, 12], data: gap.data });
    const refs: Record<string, H.T> = {
      hs, sw, cat, drop: cat, gap, se,
      rs: { shape: [1, 1, 1, 12], data: gap.data },
      up: H.upsample(se, [2, 2], 'nearest'),
      upb: H.upsample(cat, [2, 3], 'bilinear'),
      rs2: { shape: [1, 4, 3], data: gap.data },
      fl: { shape: [1, 192], data: se.data },
      d: H.softmax(H.dense({ shape: [1, 192], data: se.data }, kd, bd.data)),
    };
    await runAndCompare(model, x, refs, 'pool/merge/shape');
    await runAndCompare(model, x, refs, 'pool/merge/shape (outputs only)', ['d', 'up', 'upb', 'rs2']);
  });

  it('Sequential without InputLayer (input <first layer>_input), ZeroPadding2D, Dense on NHWC (1x1 conv), ReLU max_value 6, a layer called twice', async () => {
    const x = rnd([1, 5, 5, 2]);
    const k = rnd([3, 3, 2, 4]);
    const kd = rnd([4, 3]);
    const bd = rnd([3]);
    const seq = {
      format: 'layers-model',
      modelTopology: {
        model_config: {
          class_name: 'Sequential',
          config: {
            name: 'seq',
            layers: [
              { class_name: 'ZeroPadding2D', config: { name: 'pad', padding: [[1, 2], [0, 1]], batch_input_shape: [null, 5, 5, 2] } },
              { class_name: 'Conv2D', config: { name: 'conv', filters: 4, kernel_size: [3, 3], strides: [2, 2], padding: 'valid', use_bias: false } },
              { class_name: 'Dense', config: { name: 'fc', units: 3, activation: 'linear' } },
              { class_name: 'ReLU', config: { name: 'act', max_value: 6, negative_slope: 0, threshold: 0 } },
            ],
          },
        },
      },
      weightsManifest: [{ paths: [], weights: [{ name: 'conv/kernel', shape: k.shape, dtype: 'float32' }, { name: 'fc/kernel', shape: kd.shape, dtype: 'float32' }, { name: 'fc/bias', shape: [3], dtype: 'float32' }] }],
    };
    const bytes = new Uint8Array(Float32Array.from([...k.data, ...kd.data, ...bd.data]).buffer);
    // reference: pad 1 top, 2 bottom, 0 left, 1 right -> [1,8,6,2]; conv valid stride 2 -> [1,3,2,4]
    const padded = H.tensor([1, 8, 6, 2], (i) => {
      const [yy, xx, c] = [Math.floor(i / 12), Math.floor(i / 2) % 6, i % 2];
      return yy >= 1 && yy < 6 && xx < 5 ? x.data[((yy - 1) * 5 + xx) * 2 + c] : 0;
    });
    const conv = H.conv2d(padded, k, null, [2, 2], [1, 1], 'valid');
    const fc = H.conv2d(conv, { shape: [1, 1, 4, 3], data: kd.data }, bd.data, [1, 1], [1, 1], 'valid');
    await runAndCompare({ modelJson: seq as never, weights: bytes }, x, { conv, fc, act: H.map(fc, H.relu6) }, 'sequential');
    const s = await Session.create({ modelJson: seq as never, weights: bytes });
    expect(s.inputNames).toEqual(['pad_input']);
    expect(s.outputNames).toEqual(['act']);

    // a shared layer: 'c' applied to x, then again to its own (padded) output; outputs c and c@1 -> 'c/1'
    const kc = rnd([3, 3, 2, 2]);
    const shared = H.layersModel(
      [
        { class_name: 'InputLayer', name: 'x', config: { batch_input_shape: [null, 5, 5, 2] } },
        { class_name: 'Conv2D', name: 'c', calls: [['x'], ['p']], config: { filters: 2, kernel_size: 3, padding: 'valid', use_bias: false } },
        { class_name: 'ZeroPadding2D', name: 'p', in: ['c'], config: { padding: 1 } },
      ],
      [['c/kernel', kc]],
      ['x'],
      ['c@1'],
    );
    const c0 = H.conv2d(x, kc, null, [1, 1], [1, 1], 'valid');
    const c1 = H.conv2d(c0, kc, null, [1, 1], [1, 1], 'same');
    const def = await Session.create(shared);
    expect(def.outputNames).toEqual(['c/1']);
    await runAndCompare(shared, x, { c: c0, 'c/1': c1 }, 'shared layer');
  });
});

describe('layers importer: merges, other activations, Keras 3 configs', () => {
  it('Add / Subtract / Maximum / Minimum / Average (with an [N,1,1,C] operand), LeakyReLU, PReLU, ELU, Softmax layer, GlobalMaxPooling2D keepdims, Dense relu', async () => {
    const x = rnd([1, 4, 5, 3]);
    const alpha = rnd([1, 1, 3], 0, 0.5);
    const kd = rnd([3, 4]);
    const model = H.layersModel(
      [
        { class_name: 'InputLayer', name: 'x', config: { batch_input_shape: [null, 4, 5, 3] } },
        { class_name: 'LeakyReLU', name: 'lr', in: ['x'], config: { alpha: 0.1 } },
        { class_name: 'PReLU', name: 'pr', in: ['x'], config: { shared_axes: [1, 2] } },
        { class_name: 'ELU', name: 'elu', in: ['x'], config: { alpha: 1 } },
        { class_name: 'GlobalMaxPooling2D', name: 'gmp', in: ['x'], config: { keepdims: true } },
        { class_name: 'Add', name: 'add', in: ['lr', 'pr', 'gmp'] },
        { class_name: 'Subtract', name: 'sub', in: ['elu', 'gmp'] },
        { class_name: 'Maximum', name: 'max', in: ['gmp', 'lr'] },
        { class_name: 'Minimum', name: 'min', in: ['lr', 'elu'] },
        { class_name: 'Average', name: 'avg', in: ['lr', 'pr', 'elu'] },
        { class_name: 'Softmax', name: 'sm', in: ['avg'], config: { axis: -1 } },
        { class_name: 'GlobalMaxPooling2D', name: 'gmp2', in: ['sm'], config: {} },
        { class_name: 'Dense', name: 'fc', in: ['gmp2'], config: { units: 4, activation: 'relu', use_bias: false } },
      ],
      [['pr/alpha', alpha], ['fc/kernel', kd]],
      ['x'],
      ['add', 'sub', 'max', 'min', 'sm', 'fc'],
    );
    const C = 3;
    const lr = H.map(x, (v) => (v >= 0 ? v : 0.1 * v));
    const pr = H.map(x, (v, i) => (v >= 0 ? v : alpha.data[i % C] * v));
    const elu = H.map(x, (v) => (v >= 0 ? v : Math.expm1(v)));
    const gmpData = new Float32Array(C).fill(-Infinity);
    x.data.forEach((v, i) => (gmpData[i % C] = Math.max(gmpData[i % C], v)));
    const g = (i: number) => gmpData[i % C];
    const avg = H.map(x, (_, i) => (lr.data[i] + pr.data[i] + elu.data[i]) / 3);
    const sm = H.softmax(avg);
    const gmp2 = H.tensor([1, C], () => -Infinity);
    sm.data.forEach((v, i) => (gmp2.data[i % C] = Math.max(gmp2.data[i % C], v)));
    const refs = {
      gmp: { shape: [1, 1, 1, C], data: gmpData },
      add: H.map(x, (_, i) => lr.data[i] + pr.data[i] + g(i)),
      sub: H.map(x, (_, i) => elu.data[i] - g(i)),
      max: H.map(x, (_, i) => Math.max(g(i), lr.data[i])),
      min: H.map(x, (_, i) => Math.min(lr.data[i], elu.data[i])),
      avg, sm,
      fc: H.map(H.dense(gmp2, kd, null), (v) => Math.max(0, v)),
    };
    await runAndCompare(model, x, refs, 'merges');
    // Subtract of a broadcast first operand is not expressible
    const bad = H.layersModel(
      [
        { class_name: 'InputLayer', name: 'x', config: { batch_input_shape: [null, 4, 5, 3] } },
        { class_name: 'GlobalMaxPooling2D', name: 'gmp', in: ['x'], config: { keepdims: true } },
        { class_name: 'Subtract', name: 'sub', in: ['gmp', 'x'] },
      ],
      [], ['x'], ['sub'],
    );
    expect(() => importTfjsLayersModel(bad.modelJson, bad.weights)).toThrow(/layer 'sub' \(Subtract\): inputs of shapes \[1,1,1,3\] and \[1,4,5,3\]/);
  });

  it('Keras 3 style config: {args, kwargs} inbound nodes, a single output triple, batch_shape, activation objects, scoped weight names', async () => {
    const x = rnd([1, 6, 6, 2]);
    const k = rnd([3, 3, 2, 3]);
    const kt = (layer: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 6, 6, 2], dtype: 'float32', keras_history: [layer, 0, 0] } });
    const modelJson = {
      format: 'layers-model',
      modelTopology: {
        class_name: 'Functional',
        config: {
          name: 'k3',
          layers: [
            { class_name: 'InputLayer', name: 'inp', config: { batch_shape: [null, 6, 6, 2], dtype: 'float32', name: 'inp' }, inbound_nodes: [] },
            {
              class_name: 'Conv2D', name: 'conv',
              config: { name: 'conv', filters: 3, kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', use_bias: false, activation: { module: 'keras.activations', class_name: 'function', config: 'relu6' } },
              inbound_nodes: [{ args: [kt('inp')], kwargs: {} }],
            },
          ],
          input_layers: [['inp', 0, 0]],
          output_layers: ['conv', 0, 0],
        },
      },
      weightsManifest: [{ paths: [], weights: [{ name: 'k3/conv/kernel', shape: [3, 3, 2, 3], dtype: 'float32' }] }],
    };
    const m = { modelJson: modelJson as never, weights: new Uint8Array(k.data.buffer) };
    const s = await Session.create(m);
    expect(s.inputNames).toEqual(['inp']);
    expect(s.outputNames).toEqual(['conv']);
    await runAndCompare(m, x, { conv: H.map(H.conv2d(x, k, null, [1, 1], [1, 1], 'same'), H.relu6) }, 'keras 3');
  });
});

describe('layers importer errors', () => {
  const base = (): ReturnType<typeof H.layersModel> =>
    H.layersModel(
      [
        { class_name: 'InputLayer', name: 'x', config: { batch_input_shape: [null, 4, 4, 2] } },
        { class_name: 'ReLU', name: 'r', in: ['x'], config: {} },
        { class_name: 'MaxPooling2D', name: 'mp', in: ['r'], config: { pool_size: [2, 2] } },
        { class_name: 'DepthwiseConv2D', name: 'dw', in: ['r'], config: { kernel_size: [1, 1], use_bias: false, depth_multiplier: 1 } },
      ],
      [['dw/depthwise_kernel', H.tensor([1, 1, 2, 1], () => 1)]],
      ['x'],
      ['mp', 'dw'],
    );
  type Cfg = { layers: { class_name: string; name: string; config: Record<string, unknown> }[] };
  const edit = (f: (layers: Cfg['layers']) => void) => {
    const m = base();
    f((m.modelJson.modelTopology.model_config as { config: Cfg }).config.layers);
    return m;
  };

  it('an unsupported layer class in the requested subgraph: UnsupportedOpError naming class, layer and the supported classes; outside it: ignored', async () => {
    const m = edit((ls) => (ls[2].class_name = 'Cropping2D'));
    const err = await Session.create(m).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedOpError);
    expect(String(err)).toMatch(/layer 'mp' \(Cropping2D\): layer class 'Cropping2D' is not supported; supported layer classes: InputLayer, Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose, Dense, BatchNormalization/);
    const s = await Session.create(m, { outputs: ['dw'] });
    expect(s.outputNames).toEqual(['dw']);
  });

  it('unsupported attribute values name the layer and the value', () => {
    const cases: [(ls: Cfg['layers']) => void, RegExp][] = [
      [(ls) => (ls[1].config.max_value = 4), /layer 'r' \(ReLU\): max_value 4 \(supported: none -> relu, 6 -> relu6\)/],
      [(ls) => (ls[1].config.negative_slope = 0.1), /layer 'r' \(ReLU\): negative_slope 0.1/],
      [(ls) => (ls[1].config.threshold = 1), /layer 'r' \(ReLU\): threshold 1/],
      [(ls) => (ls[3].config.depth_multiplier = 2), /layer 'dw' \(DepthwiseConv2D\): depth_multiplier 2 \(only 1\)/],
      [(ls) => (ls[2].config.data_format = 'channels_first'), /layer 'mp' \(MaxPooling2D\): data_format 'channels_first'/],
      [(ls) => Object.assign(ls[3].config, { dilation_rate: [2, 2], strides: [2, 2] }), /layer 'dw' \(DepthwiseConv2D\): dilation_rate \[2,2\] with strides \[2,2\]/],
      [(ls) => (ls[3].config.activation = 'selu'), /layer 'dw' \(DepthwiseConv2D\): activation 'selu' \(supported activations: linear, relu, relu6, sigmoid/],
      [(ls) => (ls[2].config.padding = 'causal'), /layer 'mp' \(MaxPooling2D\): padding 'causal'/],
    ];
    for (const [f, re] of cases) {
      const m = edit(f);
      expect(() => importTfjsLayersModel(m.modelJson, m.weights), String(re)).toThrow(UnsupportedOpError);
      expect(() => importTfjsLayersModel(m.modelJson, m.weights)).toThrow(re);
    }
  });

  it('malformed topology, missing or mis-shaped weights, unknown outputs', () => {
    const m = base();
    expect(() => importTfjsLayersModel({ ...m.modelJson, modelTopology: {} as never }, m.weights)).toThrow(FormatError);
    expect(() => importTfjsLayersModel(edit((ls) => ((ls[3] as { inbound_nodes?: unknown }).inbound_nodes = [[['nope', 0, 0, {}]]])).modelJson, m.weights)).toThrow(
      /layer 'dw' reads layer 'nope', which is not a layer of the model/,
    );
    const noW = { ...m.modelJson, weightsManifest: [{ paths: [], weights: [] }] };
    expect(() => importTfjsLayersModel(noW, new Uint8Array(0))).toThrow(/layer 'dw' \(DepthwiseConv2D\): weight 'dw\/depthwise_kernel' is not in the weights manifest/);
    const wrong = structuredClone(m.modelJson);
    wrong.weightsManifest[0].weights[0].shape = [1, 2, 1, 1];
    expect(() => importTfjsLayersModel(wrong, m.weights)).toThrow(/weight 'dw\/depthwise_kernel' has shape \[1,2,1,1\] but the layer config and its input need \[1,1,2,1\]/);
    expect(() => importTfjsLayersModel(m.modelJson, m.weights, { outputs: ['nope'] })).toThrow(ShapeError);
    // '<layer>/<layer>' and ':0' spellings name the layer
    expect(importTfjsLayersModel(m.modelJson, m.weights, { outputs: ['mp/mp', 'dw:0'] }).outputs).toEqual(['mp/mp', 'dw:0']);
  });

  it('unknown input dimensions need inputShapes', () => {
    const m = edit((ls) => (ls[0].config.batch_input_shape = [null, null, null, 2]));
    expect(() => importTfjsLayersModel(m.modelJson, m.weights)).toThrow(ShapeError);
    expect(() => importTfjsLayersModel(m.modelJson, m.weights)).toThrow(/inputShapes/);
    expect(importTfjsLayersModel(m.modelJson, m.weights, { inputShapes: { x: [2, 6, 6, 2] } }).inputs).toEqual([{ name: 'x', shape: [2, 6, 6, 2] }]);
  });

  it('a truncated shard is a FormatError (in memory and from files); so is a corrupt UMD wrapper; a missing shard names the .min.js file', async () => {
    const { modelJson, weights } = await readTfjsModelFiles(`${MB2}/model.min.js`);
    expect(() => importTfjsModel(modelJson, weights.subarray(0, weights.length - 7))).toThrow(FormatError);
    expect(() => importTfjsModel(modelJson, weights.subarray(0, weights.length - 7))).toThrow(/a shard is missing or truncated/);
    const dir = mkdtempSync(join(tmpdir(), 'sepconv-umd-'));
    // the error of a load that must fail ('resolved' otherwise: never hand a whole Graph to the matchers)
    const failure = (): Promise<unknown> => loadTfjsModel(join(dir, 'model.min.js')).then(() => 'resolved', (e: unknown) => e);
    try {
      const model = readFileSync(`${MB2}/model.min.js`, 'utf8');
      const shard = readFileSync(`${MB2}/group1-shard1of1.min.js`, 'utf8');
      writeFileSync(join(dir, 'model.min.js'), model);
      expect(String(await failure())).toMatch(/group1-shard1of1\.min\.js': no such file/);
      // cut 4000 base64 characters (3000 bytes) out of the shard string
      const at = shard.indexOf('exports="') + 20;
      writeFileSync(join(dir, 'group1-shard1of1.min.js'), shard.slice(0, at) + shard.slice(at + 4000));
      let err = await failure();
      expect(err).toBeInstanceOf(FormatError);
      expect(String(err)).toMatch(/needs bytes .* but the weight files hold 2616461 bytes; a shard is missing or truncated/);
      writeFileSync(join(dir, 'group1-shard1of1.min.js'), shard.slice(0, at) + '!' + shard.slice(at + 1));
      err = await failure();
      expect(err).toBeInstanceOf(FormatError);
      expect(String(err)).toMatch(/group1-shard1of1\.min\.js: the weight string is not base64 \(character "!" at offset 11\)/);
      writeFileSync(join(dir, 'group1-shard1of1.min.js'), shard);
      writeFileSync(join(dir, 'model.min.js'), model.slice(0, model.length / 2));
      err = await failure();
      expect(err).toBeInstanceOf(FormatError);
      expect(String(err)).toMatch(/model\.min\.js: malformed exported literal at offset \d+: .* \(found the end of the file\)/);
      writeFileSync(join(dir, 'model.min.js'), model.replace(/\.exports=\{/, '.exports=foo({'));
      err = await failure();
      expect(err).toBeInstanceOf(FormatError);
      expect(String(err)).toMatch(/model\.min\.js: not a UMD model module: expected/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
