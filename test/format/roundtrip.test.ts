import { describe, expect, it } from 'vitest';
import { FormatError, ShapeError, UnsupportedOpError } from '../../src/errors.js';
import { isExactUint8, readSepconv, writeSepconv, type Dtype } from '../../src/format/index.js';
import type { Graph, Node } from '../../src/graph/ir.js';
import { crc32 } from '../../src/format/crc32.js';
import { decodeFloat16, encodeFloat16 } from '../../src/format/float16.js';
import { GraphBuilder } from '../../src/zoo/builder.js';
import {
  B_VALUES,
  baseFile,
  baseHeader,
  DW_Q,
  DW_SCALES,
  DW_ZERO_POINTS,
  headerOf,
  sampleGraph,
  SEPCONV_MAGIC,
  W_VALUES,
} from './fixture.js';

const u16 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint16(at, true);
const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

/** Everything but the constant data must come back exactly. */
function expectSameStructure(got: Graph, want: Graph) {
  expect(got.name).toBe(want.name);
  expect(got.inputs).toEqual(want.inputs);
  expect(got.outputs).toEqual(want.outputs);
  expect(got.nodes).toEqual(want.nodes);
  expect([...got.constants.keys()]).toEqual([...want.constants.keys()]);
  for (const [name, c] of want.constants) {
    expect(got.constants.get(name)!.shape, name).toEqual(c.shape);
    expect(got.constants.get(name)!.data).toBeInstanceOf(Float32Array);
    expect(got.constants.get(name)!.data.length, name).toBe(c.data.length);
  }
}

describe('readSepconv on a hand-assembled file', () => {
  it('decodes float32, float16 and int8 blobs to the values written by hand', () => {
    const g = readSepconv(baseFile());
    expect(g.name).toBe('base');
    expect(g.inputs).toEqual([{ name: 'x', shape: [1, 4, 4, 2] }]);
    expect(g.outputs).toEqual(['y']);
    expect(g.nodes).toEqual(baseHeader().nodes);
    expect(Array.from(g.constants.get('w')!.data)).toEqual(W_VALUES.map(Math.fround));
    const b = Array.from(g.constants.get('b')!.data);
    expect(b).toEqual(B_VALUES);
    expect(Object.is(b[5], -0)).toBe(true);
    const dw = g.constants.get('dw')!;
    expect(dw.shape).toEqual([3, 3, 6]);
    // axis 2 (last): channel = index % 6
    expect(dw.data[0]).toBe((-128 - 0) * 0.5); // q -128, zp 0, scale 0.5
    expect(dw.data[1]).toBe((-123 + 1) * 0.25); // q -123, zp -1
    expect(dw.data[2]).toBe((-118 - 3) * 2); // q -118, zp 3
    expect(dw.data[3]).toBe(-113 + 128); // zp -128, scale 1
    expect(dw.data[4]).toBe((-108 - 127) * 0.125);
    expect(dw.data[5]).toBe((-103 - 10) * 3);
    expect(dw.data[53]).toBe((127 - 10) * 3);
    for (let i = 0; i < 54; i++) expect(dw.data[i]).toBe((DW_Q[i]! - DW_ZERO_POINTS[i % 6]!) * DW_SCALES[i % 6]!);
  });

  it('accepts a newer minor version and ignores fields it does not know', () => {
    const file = baseFile(
      (h) => {
        h.producer = 'sepconv 9';
        h.tensors[0].compression = 'none';
        h.nodes[0].doc = 'stem';
        h.inputs[0].layout = 'NHWC';
      },
      { minor: 7 },
    );
    const g = readSepconv(file);
    expect(g.nodes[0]).toEqual(baseHeader().nodes[0]);
    expect(g.inputs).toEqual([{ name: 'x', shape: [1, 4, 4, 2] }]);
  });

  it('accepts a Uint8Array view at an odd offset into a larger buffer', () => {
    const file = baseFile();
    const big = new Uint8Array(file.length + 3);
    big.set(file, 3);
    const g = readSepconv(big.subarray(3));
    expect(Array.from(g.constants.get('w')!.data)).toEqual(W_VALUES.map(Math.fround));
  });
});

describe('writeSepconv layout', () => {
  it('writes magic, version, header length, JSON and 64-byte aligned blobs with CRCs', () => {
    const g = sampleGraph();
    const file = writeSepconv(g);
    expect(Array.from(file.subarray(0, 8))).toEqual(SEPCONV_MAGIC);
    expect(u16(file, 8)).toBe(1);
    expect(u16(file, 10)).toBe(1); // 1.1: uint8 tensors
    const len = u32(file, 12);
    const h = headerOf(file);
    expect(h.name).toBe('every-op');
    expect(h.tensors.map((t: { name: string }) => t.name)).toEqual([...g.constants.keys()]);
    let end = 16 + len;
    for (const t of h.tensors) {
      const c = g.constants.get(t.name)!;
      expect(t.offset % 64).toBe(0);
      expect(t.offset).toBeGreaterThanOrEqual(end);
      expect(t.dtype).toBe('float32');
      expect(t.length).toBe(c.data.length * 4);
      const blob = file.subarray(t.offset, t.offset + t.length);
      expect(t.crc32).toBe(crc32(blob));
      const dv = new DataView(blob.buffer, blob.byteOffset);
      for (let i = 0; i < c.data.length; i++) expect(dv.getFloat32(i * 4, true)).toBe(c.data[i]);
      end = t.offset + t.length;
    }
    expect(file.length).toBe(end);
  });

  it('writes 1.0 as the bytes 00 00 80 3f (float32) and 00 3c (float16)', () => {
    const g: Graph = {
      name: 'one',
      inputs: [{ name: 'x', shape: [1, 3] }],
      outputs: ['y'],
      nodes: [{ name: 'fc', op: 'FullyConnected', inputs: ['x', 'w'], outputs: ['y'], attrs: { act: 'linear' } }],
      constants: new Map([['w', { name: 'w', shape: [1, 3], data: new Float32Array([1, 1, 1]) }]]),
    };
    for (const [dtype, bytes] of [
      ['float32', [0, 0, 0x80, 0x3f]],
      ['float16', [0, 0x3c]],
    ] as const) {
      const file = writeSepconv(g, { dtype });
      const t = headerOf(file).tensors[0];
      expect(t.dtype).toBe(dtype);
      expect(Array.from(file.subarray(t.offset, t.offset + bytes.length))).toEqual(bytes);
    }
  });

  it('quantizes to int8 per channel as docs/format.md says (hand-computed)', () => {
    const g: Graph = {
      name: 'q',
      inputs: [{ name: 'x', shape: [1, 2] }],
      outputs: ['y'],
      nodes: [{ name: 'fc', op: 'FullyConnected', inputs: ['x', 'w'], outputs: ['y'], attrs: { act: 'linear' } }],
      // channel 0: [0, 1] -> scale 1/255, zp -128; channel 1: [-1, 0.5] -> scale 1.5/255, zp 42
      constants: new Map([['w', { name: 'w', shape: [2, 2], data: new Float32Array([0, 1, -1, 0.5]) }]]),
    };
    const file = writeSepconv(g, { dtype: 'int8' });
    const t = headerOf(file).tensors[0];
    expect(t.dtype).toBe('int8');
    expect(t.length).toBe(4);
    expect(t.quant).toEqual({ axis: 0, scales: [Math.fround(1 / 255), Math.fround(1.5 / 255)], zeroPoints: [-128, 42] });
    expect(Array.from(new Int8Array(file.slice(t.offset, t.offset + 4).buffer))).toEqual([-128, 127, -128, 127]);
    const w = readSepconv(file).constants.get('w')!.data;
    expect(w[0]).toBe(0);
    expect(w[2]).toBeCloseTo(-1, 6);
    expect(Math.abs(w[1]! - 1)).toBeLessThan(1e-6);
    expect(Math.abs(w[3]! - 0.5)).toBeLessThan(1e-6);
  });
});

/** Per channel along `axis`: max |got - want| / step, step = (max(0, max) - min(0, min)) / 255. */
function int8Error(want: Float32Array, got: Float32Array, shape: number[], axis: number): number {
  const channels = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const lo = new Array(channels).fill(0);
  const hi = new Array(channels).fill(0);
  want.forEach((x, i) => {
    const c = Math.floor(i / inner) % channels;
    lo[c] = Math.min(lo[c], x);
    hi[c] = Math.max(hi[c], x);
  });
  let worst = 0;
  want.forEach((x, i) => {
    const c = Math.floor(i / inner) % channels;
    const step = (hi[c] - lo[c]) / 255;
    worst = Math.max(worst, Math.abs(got[i]! - x) / step);
  });
  return worst;
}

describe('round trip through writeSepconv -> readSepconv', () => {
  const g = sampleGraph();
  const is1d = (name: string) => g.constants.get(name)!.shape.length < 2;

  it('covers every op of the IR', () => {
    const ops = new Set(g.nodes.map((n: Node) => n.op));
    expect([...ops].sort()).toEqual(
      [
        'Conv2D', 'DepthwiseConv2D', 'ConvTranspose2D', 'BatchNorm', 'Activation', 'Add', 'Mul', 'Concat', 'ChannelShuffle',
        'Split', 'MaxPool', 'AvgPool', 'GlobalAvgPool', 'Flatten', 'FullyConnected', 'Softmax', 'Resize', 'CReLU', 'Pad',
      ].sort(),
    );
  });

  it('float32 is exact', () => {
    const r = readSepconv(writeSepconv(g, { dtype: 'float32' }));
    expectSameStructure(r, g);
    for (const [name, c] of g.constants) expect(r.constants.get(name)!.data, name).toEqual(c.data);
  });

  it('float16 is within half-precision rounding (rank-1 tensors stay float32)', () => {
    const file = writeSepconv(g, { dtype: 'float16', float16Rounding: 'nearest' });
    for (const t of headerOf(file).tensors) expect(t.dtype, t.name).toBe(is1d(t.name) ? 'float32' : 'float16');
    const r = readSepconv(file);
    expectSameStructure(r, g);
    for (const [name, c] of g.constants) {
      const got = r.constants.get(name)!.data;
      if (is1d(name)) {
        expect(got, name).toEqual(c.data);
        continue;
      }
      let changed = 0;
      c.data.forEach((x, i) => {
        const err = Math.abs(got[i]! - x);
        expect(err, `${name}[${i}]`).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 2 ** -25);
        if (err > 0) changed++;
      });
      expect(changed, `${name} was really stored as float16`).toBeGreaterThan(0);
    }
  });

  it('float16 is exact for values representable in half precision (both roundings)', () => {
    const h = sampleGraph();
    for (const c of h.constants.values()) c.data.forEach((x, i) => (c.data[i] = decodeFloat16(encodeFloat16([x]))[0]!));
    for (const float16Rounding of ['nearest', 'error-feedback'] as const) {
      const r = readSepconv(writeSepconv(h, { dtype: 'float16', float16Rounding }));
      for (const [name, c] of h.constants) expect(r.constants.get(name)!.data, name).toEqual(c.data);
    }
  });

  it('uint8: exact for values imported as q * scale + min (the affine hint), within scale / 2 otherwise; the hint survives a round trip', () => {
    const b = new GraphBuilder('u8', 5);
    const x = b.input('x', [1, 3, 3, 4]);
    const c = b.conv(x, 'c', { cout: 5, k: 3 });
    const g = b.build([c]);
    const w = g.constants.get('c/weight')!;
    const affine = { scale: 0.0123456789, min: -1.2345 };
    const hinted = Float32Array.from(w.data, (_, i) => ((i * 37) % 256) * affine.scale + affine.min);
    g.constants.set('c/weight', { ...w, data: hinted, affine });
    expect(isExactUint8(hinted, affine)).toBe(true);
    const file = writeSepconv(g, { dtype: 'uint8' });
    const t = headerOf(file).tensors.find((e: { name: string }) => e.name === 'c/weight');
    expect(t).toMatchObject({ dtype: 'uint8', affine, length: hinted.length });
    const r = readSepconv(file);
    expect(r.constants.get('c/weight')!.data).toEqual(hinted);
    expect(r.constants.get('c/weight')!.affine).toEqual(affine);
    // no hint: min / (max - min) / 255 of the data, every value within half a step
    const plain = sampleGraph();
    const rr = readSepconv(writeSepconv(plain, { dtype: 'uint8' }));
    for (const [name, k] of plain.constants) {
      if (k.shape.length < 2) continue;
      const lo = Math.min(...k.data);
      const step = (Math.max(...k.data) - lo) / 255;
      k.data.forEach((v, i) => expect(Math.abs(rr.constants.get(name)!.data[i]! - v), `${name}[${i}]`).toBeLessThanOrEqual(step / 2 + 1e-6 * Math.abs(v)));
    }
    expect(isExactUint8(Float32Array.from([0.1, 0.2, 0.3001]), { scale: 0.1, min: 0 })).toBe(false);
  });

  it("the NCHW I/O layout of an ONNX-sourced graph survives a round trip (and sessions of the file take NCHW)", async () => {
    const g = { ...sampleGraph(), layout: 'NCHW' as const };
    const file = writeSepconv(g);
    expect(headerOf(file).layout).toBe('NCHW');
    expect(readSepconv(file).layout).toBe('NCHW');
    expect(readSepconv(writeSepconv(sampleGraph())).layout).toBeUndefined();
    const { Session } = await import('../../src/runtime/index.js');
    const s = await Session.create(file);
    expect(s.layout).toBe('nchw');
  });

  it('float16 error feedback: each value within its step plus the carry, each output channel sum within half a step', () => {
    const b = new GraphBuilder('ef', 3);
    const x = b.input('x', [1, 4, 4, 8]);
    const y = b.dwconv(b.conv(x, 'c', { cout: 16, k: 3 }), 'dw', { k: 3 });
    const g = b.build([y]);
    const r = readSepconv(writeSepconv(g, { dtype: 'float16' }));
    const nearest = readSepconv(writeSepconv(g, { dtype: 'float16', float16Rounding: 'nearest' }));
    for (const [name, rows, len, rowStride, step] of [['c/weight', 16, 72, 72, 1], ['dw/weight', 16, 9, 1, 16]] as const) {
      const w = g.constants.get(name)!.data;
      const got = r.constants.get(name)!.data;
      const near = nearest.constants.get(name)!.data;
      let efWorst = 0;
      let nearWorst = 0;
      for (let row = 0; row < rows; row++) {
        let sw = 0, sg = 0, sn = 0, maxAbs = 0;
        for (let j = 0; j < len; j++) maxAbs = Math.max(maxAbs, Math.abs(w[row * rowStride + j * step]!));
        for (let j = 0; j < len; j++) {
          const i = row * rowStride + j * step;
          // its own rounding plus the carried error (at most half a step of the row's largest value)
          expect(Math.abs(got[i]! - w[i]!), `${name}[${i}]`).toBeLessThanOrEqual((Math.abs(w[i]!) + maxAbs) * 2 ** -11 + 2 ** -24);
          sw += w[i]!;
          sg += got[i]!;
          sn += near[i]!;
        }
        efWorst = Math.max(efWorst, Math.abs(sg - sw) / maxAbs);
        nearWorst = Math.max(nearWorst, Math.abs(sn - sw) / maxAbs);
      }
      // the carried error never exceeds half a step of the largest value in the row
      expect(efWorst, name).toBeLessThanOrEqual(2 ** -11);
      expect(efWorst, name).toBeLessThan(nearWorst);
    }
  });

  it('int8 is within one quantization step per channel; depthwise weights use the last axis', () => {
    const file = writeSepconv(g, { dtype: 'int8' });
    const header = headerOf(file);
    for (const t of header.tensors) {
      expect(t.dtype, t.name).toBe(is1d(t.name) ? 'float32' : 'int8');
      if (t.dtype === 'int8') {
        const axis = t.name === 'dw1.w' ? 2 : 0;
        expect(t.quant.axis, t.name).toBe(axis);
        expect(t.quant.scales.length).toBe(t.shape[axis]);
        expect(t.quant.zeroPoints.length).toBe(t.shape[axis]);
        expect(t.length).toBe(t.shape.reduce((a: number, b: number) => a * b, 1));
      }
    }
    const r = readSepconv(file);
    expectSameStructure(r, g);
    for (const [name, c] of g.constants) {
      const got = r.constants.get(name)!.data;
      if (is1d(name)) {
        expect(got, name).toEqual(c.data);
        continue;
      }
      const axis = name === 'dw1.w' ? 2 : 0;
      const err = int8Error(c.data, got, c.shape, axis);
      expect(err, name).toBeLessThanOrEqual(1);
      expect(err, `${name} was really quantized`).toBeGreaterThan(0);
      // at most 256 distinct values per channel
      const inner = c.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      const perChannel = new Map<number, Set<number>>();
      got.forEach((v, i) => {
        const ch = Math.floor(i / inner) % c.shape[axis]!;
        if (!perChannel.has(ch)) perChannel.set(ch, new Set());
        perChannel.get(ch)!.add(v);
      });
      for (const s of perChannel.values()) expect(s.size).toBeLessThanOrEqual(256);
    }
  });

  it('perTensor overrides the default dtype', () => {
    const pick = (name: string): Dtype | undefined => (name === 'w1' ? 'float32' : name === 'b1' ? 'float16' : undefined);
    const file = writeSepconv(g, { dtype: 'int8', perTensor: pick });
    const dtypes = Object.fromEntries(headerOf(file).tensors.map((t: { name: string; dtype: string }) => [t.name, t.dtype]));
    expect(dtypes).toMatchObject({ w1: 'float32', b1: 'float16', w2: 'int8', 'dw1.w': 'int8', b2: 'float32' });
    const r = readSepconv(file);
    expect(r.constants.get('w1')!.data).toEqual(g.constants.get('w1')!.data);
  });
});

describe('Conv2D with a fused residual input', () => {
  const pw = { kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1 } as const;
  const k = (name: string, shape: number[]) => ({ name, shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => (i % 7) - 3) });
  /** x -> pw1 (bias) -> pw2 (no bias '', residual x, relu); pw3 (bias, residual pw2's output). */
  const fused = (): Graph => ({
    name: 'residual',
    inputs: [{ name: 'x', shape: [1, 3, 3, 4] }],
    outputs: ['y'],
    constants: new Map([k('w1', [4, 1, 1, 4]), k('b1', [4]), k('w2', [4, 1, 1, 4]), k('w3', [4, 1, 1, 4]), k('b3', [4])].map((c) => [c.name, c])),
    nodes: [
      { name: 'pw1', op: 'Conv2D', inputs: ['x', 'w1', 'b1'], outputs: ['t'], attrs: { ...pw, act: 'relu6' } },
      { name: 'pw2', op: 'Conv2D', inputs: ['t', 'w2', '', 'x'], outputs: ['u'], attrs: { ...pw, act: 'relu' } },
      { name: 'pw3', op: 'Conv2D', inputs: ['u', 'w3', 'b3', 'u'], outputs: ['y'], attrs: { ...pw, act: 'linear' } },
    ] as Node[],
  });

  it.each(['float32', 'float16', 'int8'] as Dtype[])('round-trips with and without a bias (%s)', (dtype) => {
    const g = fused();
    const r = readSepconv(writeSepconv(g, { dtype }));
    expectSameStructure(r, g);
    expect(r.nodes[1]!.inputs).toEqual(['t', 'w2', '', 'x']);
    expect(r.nodes[2]!.inputs).toEqual(['u', 'w3', 'b3', 'u']);
  });

  it("'' is only allowed as the bias of a Conv2D that has a residual", () => {
    const noResidual = fused();
    noResidual.nodes[1]!.inputs = ['t', 'w2', ''];
    expect(() => writeSepconv(noResidual)).toThrow(/inputs must be a list of non-empty tensor names \(only a Conv2D's bias may be '', when a residual follows\)/);
    const emptyResidual = fused();
    emptyResidual.nodes[1]!.inputs = ['t', 'w2', 'b3', ''];
    expect(() => writeSepconv(emptyResidual)).toThrow(FormatError);
    const dw = fused();
    dw.nodes[0]!.inputs = ['', 'w1', 'b1'];
    expect(() => writeSepconv(dw)).toThrow(FormatError);
    const dangling = fused();
    dangling.nodes[1]!.inputs = ['t', 'w2', '', 'nowhere'];
    expect(() => writeSepconv(dangling)).toThrow(/node 'pw2' reads 'nowhere'/);
  });
});

describe('writeSepconv rejects graphs it cannot write', () => {
  it('constant data that does not match its shape (ShapeError)', () => {
    const g = sampleGraph();
    g.constants.get('w2')!.shape = [8, 1, 1, 5];
    expect(() => writeSepconv(g)).toThrow(ShapeError);
    expect(() => writeSepconv(g)).toThrow(/constant 'w2': has 32 values but shape \[8, 1, 1, 5\] needs 40/);
  });

  it('a node that breaks the op schema (FormatError) or an unknown op (UnsupportedOpError)', () => {
    const g = sampleGraph();
    (g.nodes[1]!.attrs as { strides: number[] }).strides = [0, 2];
    expect(() => writeSepconv(g)).toThrow(FormatError);
    expect(() => writeSepconv(g)).toThrow(/node 'conv1' \(Conv2D\): attribute 'strides' = \[0,2\]/);
    const h = sampleGraph();
    (h.nodes[0] as { op: string }).op = 'Gelu';
    expect(() => writeSepconv(h)).toThrow(UnsupportedOpError);
  });

  it('dangling references', () => {
    const g = sampleGraph();
    g.outputs.push('nowhere');
    expect(() => writeSepconv(g)).toThrow(/graph output 'nowhere' is not produced by any node/);
    const h = sampleGraph();
    h.nodes[2]!.inputs[0] = 'c9';
    expect(() => writeSepconv(h)).toThrow(/node 'dw1' reads 'c9', which is not a graph input/);
  });

  it('non-finite values as int8', () => {
    const g = sampleGraph();
    g.constants.get('w4')!.data[3] = NaN;
    expect(() => writeSepconv(g, { dtype: 'int8' })).toThrow(/constant 'w4': value NaN at index 3 cannot be quantized/);
  });
});

describe('reading from a Node Buffer (fs.readFile)', () => {
  it('decodes every dtype from a Buffer whose memory is a slice of a larger pool', async () => {
    const { mobilenetV3Small } = await import('../../src/zoo/index.js');
    const g = mobilenetV3Small({ width: 0.35, resolution: 96, classes: 10 });
    for (const dtype of ['float32', 'float16', 'int8'] as const) {
      const bytes = writeSepconv(g, { dtype });
      // Buffer.from(pool, offset) shares one ArrayBuffer, as fs.readFile's small-file pool does.
      const pool = new Uint8Array(bytes.length + 100);
      pool.set(bytes, 37);
      const buf = Buffer.from(pool.buffer, 37, bytes.length);
      const back = readSepconv(buf, 'pooled.sepconv');
      for (const [name, c] of g.constants) expect(back.constants.get(name)!.data.length, name).toBe(c.data.length);
    }
  });
});
