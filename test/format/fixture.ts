/**
 * Test fixtures for the .sepconv format, independent of src/format/writer.ts:
 * - `assemble` lays out a file byte by byte from a header object and blobs, following docs/format.md;
 * - `baseHeader` / `baseBlobs` describe a small valid file whose decoded values are written by hand;
 * - `sampleGraph` is a graph using every op and every attribute kind, built from the ir.ts types.
 */
import type { Constant, Graph, Node } from '../../src/graph/ir.js';
import { crc32 } from '../../src/format/crc32.js';

export const SEPCONV_MAGIC = [0x53, 0x45, 0x50, 0x43, 0x4f, 0x4e, 0x56, 0x00]; // "SEPCONV\0"

export interface AssembleOptions {
  magic?: number[];
  major?: number;
  minor?: number;
  /** overrides the header length field */
  headerLength?: number;
  /** raw header bytes instead of JSON.stringify(header) */
  rawHeader?: Uint8Array;
  /** total file size (default: end of the last blob) */
  size?: number;
}

/** magic | u16 major | u16 minor | u32 header length | JSON | blobs at their offsets; all little-endian. */
export function assemble(header: unknown, blobs: { offset: number; bytes: Uint8Array }[], o: AssembleOptions = {}): Uint8Array {
  const json = o.rawHeader ?? new TextEncoder().encode(JSON.stringify(header));
  let end = 16 + json.length;
  for (const b of blobs) end = Math.max(end, b.offset + b.bytes.length);
  const out = new Uint8Array(o.size ?? end);
  const tmp = new Uint8Array(end);
  tmp.set(o.magic ?? SEPCONV_MAGIC, 0);
  const dv = new DataView(tmp.buffer);
  dv.setUint16(8, o.major ?? 1, true);
  dv.setUint16(10, o.minor ?? 0, true);
  dv.setUint32(12, o.headerLength ?? json.length, true);
  tmp.set(json, 16);
  for (const b of blobs) {
    if (b.offset < 16 + json.length) throw new Error(`fixture: blob at ${b.offset} overlaps the ${json.length}-byte header`);
    tmp.set(b.bytes, b.offset);
  }
  out.set(tmp.subarray(0, out.length));
  return out;
}

const le32 = (values: number[]): Uint8Array => {
  const b = new Uint8Array(values.length * 4);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  return b;
};
const le16 = (values: number[]): Uint8Array => {
  const b = new Uint8Array(values.length * 2);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => dv.setUint16(i * 2, v, true));
  return b;
};

// --- the base file: conv (float32 weight, float16 bias) -> depthwise (int8 weight along the last axis)

export const W_VALUES = [1, 2, 3, 4, 5, 6, -0.25, 1e-3, -7, 8.5, 100, -1e5]; // [6][1][1][2] float32
export const B_BITS = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000]; // float16
export const B_VALUES = [1, -2, 0.5, 65504, 2 ** -24, -0]; // what B_BITS decode to
export const DW_Q = Array.from({ length: 54 }, (_, i) => i * 5 - 128 > 127 ? 127 : i * 5 - 128); // [3][3][6] int8
export const DW_SCALES = [0.5, 0.25, 2, 1, 0.125, 3];
export const DW_ZERO_POINTS = [0, -1, 3, -128, 127, 10];

export const DATA_START = 1024;
export const OFFSETS = { w: 1024, b: 1088, dw: 1152 };

export function baseBlobs(): Record<'w' | 'b' | 'dw', Uint8Array> {
  return { w: le32(W_VALUES), b: le16(B_BITS), dw: new Uint8Array(Int8Array.from(DW_Q).buffer) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function baseHeader(): Json {
  const blobs = baseBlobs();
  return {
    name: 'base',
    inputs: [{ name: 'x', shape: [1, 4, 4, 2] }],
    outputs: ['y'],
    nodes: [
      {
        name: 'conv',
        op: 'Conv2D',
        inputs: ['x', 'w', 'b'],
        outputs: ['c'],
        attrs: { kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, act: 'relu6' },
      },
      {
        name: 'dw',
        op: 'DepthwiseConv2D',
        inputs: ['c', 'dw'],
        outputs: ['y'],
        attrs: { kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], act: 'linear' },
      },
    ],
    tensors: [
      { name: 'w', shape: [6, 1, 1, 2], dtype: 'float32', offset: OFFSETS.w, length: 48, crc32: crc32(blobs.w) },
      { name: 'b', shape: [6], dtype: 'float16', offset: OFFSETS.b, length: 12, crc32: crc32(blobs.b) },
      {
        name: 'dw',
        shape: [3, 3, 6],
        dtype: 'int8',
        offset: OFFSETS.dw,
        length: 54,
        crc32: crc32(blobs.dw),
        quant: { axis: 2, scales: [...DW_SCALES], zeroPoints: [...DW_ZERO_POINTS] },
      },
    ],
  };
}

/** The base file, optionally with its header changed by `mutate` (offsets and blobs unchanged). */
export function baseFile(mutate?: (h: Json) => void, o: AssembleOptions = {}, blobs = baseBlobs()): Uint8Array {
  const h = baseHeader();
  mutate?.(h);
  const json = new TextEncoder().encode(JSON.stringify(h));
  if (16 + json.length > DATA_START && !o.rawHeader) throw new Error('fixture: header too long for DATA_START');
  return assemble(
    h,
    [
      { offset: OFFSETS.w, bytes: blobs.w },
      { offset: OFFSETS.b, bytes: blobs.b },
      { offset: OFFSETS.dw, bytes: blobs.dw },
    ],
    o,
  );
}

// --- a graph using every op and every attribute kind

/** Small deterministic PRNG (LCG) for weights. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function sampleGraph(seed = 1): Graph {
  const rnd = lcg(seed);
  const constants = new Map<string, Constant>();
  const konst = (name: string, shape: number[], lo = -1, hi = 1): string => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * rnd();
    constants.set(name, { name, shape, data });
    return name;
  };
  const nodes: Node[] = [
    { name: 'pad', op: 'Pad', inputs: ['x'], outputs: ['p0'], attrs: { pads: [1, 1, 1, 1] } },
    {
      name: 'conv1',
      op: 'Conv2D',
      inputs: ['p0', konst('w1', [8, 3, 3, 3]), konst('b1', [8])],
      outputs: ['c1'],
      attrs: { kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 1, 1], groups: 1, act: 'relu6' },
    },
    {
      name: 'dw1',
      op: 'DepthwiseConv2D',
      inputs: ['c1', konst('dw1.w', [3, 3, 8], -3, 0.5)],
      outputs: ['d1'],
      attrs: { kernel: [3, 3], strides: [1, 1], dilations: [2, 2], pads: [2, 2, 2, 2], act: 'hswish' },
    },
    {
      name: 'bn',
      op: 'BatchNorm',
      inputs: ['d1', konst('gamma', [8]), konst('beta', [8]), konst('mean', [8]), konst('var', [8], 0.1, 2)],
      outputs: ['bn'],
      attrs: { epsilon: 1e-3 },
    },
    {
      name: 'pw',
      op: 'Conv2D',
      inputs: ['bn', konst('w2', [8, 1, 1, 4], 0.25, 4), konst('b2', [8])],
      outputs: ['c2'],
      attrs: { kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 2, act: 'linear' },
    },
    { name: 'shuffle', op: 'ChannelShuffle', inputs: ['c2'], outputs: ['cs'], attrs: { groups: 2 } },
    { name: 'split', op: 'Split', inputs: ['cs'], outputs: ['s0', 's1'], attrs: { sizes: [4, 4] } },
    { name: 'sig', op: 'Activation', inputs: ['s0'], outputs: ['a0'], attrs: { act: 'sigmoid' } },
    { name: 'add', op: 'Add', inputs: ['a0', 's1'], outputs: ['add'], attrs: { act: 'relu' } },
    { name: 'gate', op: 'Mul', inputs: ['add', konst('g', [4])], outputs: ['mul'], attrs: { act: 'linear' } },
    { name: 'crelu', op: 'CReLU', inputs: ['mul'], outputs: ['cr'], attrs: { act: 'relu' } },
    { name: 'cat', op: 'Concat', inputs: ['cr', 'cs'], outputs: ['cat'], attrs: {} },
    { name: 'maxpool', op: 'MaxPool', inputs: ['cat'], outputs: ['mp'], attrs: { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] } },
    {
      name: 'avgpool',
      op: 'AvgPool',
      inputs: ['mp'],
      outputs: ['ap'],
      attrs: { kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], countIncludePad: false },
    },
    {
      name: 'up',
      op: 'ConvTranspose2D',
      inputs: ['ap', konst('w3', [4, 2, 2, 16], -0.01, 0.02), konst('b3', [4])],
      outputs: ['up'],
      attrs: { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], act: 'relu', outputSize: [4, 4] },
    },
    { name: 'resize', op: 'Resize', inputs: ['up'], outputs: ['seg'], attrs: { size: [16, 16], mode: 'bilinear', coord: 'half_pixel' } },
    { name: 'resize2', op: 'Resize', inputs: ['up'], outputs: ['r2'], attrs: { size: [2, 2], mode: 'nearest', coord: 'legacy' } },
    { name: 'gap', op: 'GlobalAvgPool', inputs: ['r2'], outputs: ['gap'], attrs: {} },
    { name: 'flatten', op: 'Flatten', inputs: ['gap'], outputs: ['fl'], attrs: {} },
    { name: 'fc', op: 'FullyConnected', inputs: ['fl', konst('w4', [5, 4]), konst('b4', [5])], outputs: ['fc'], attrs: { act: 'hsigmoid' } },
    { name: 'softmax', op: 'Softmax', inputs: ['fc'], outputs: ['prob'], attrs: {} },
  ];
  return { name: 'every-op', inputs: [{ name: 'x', shape: [1, 8, 8, 3] }], outputs: ['prob', 'seg'], nodes, constants };
}

/** The JSON header of a file (read by hand: u32 length at byte 12, UTF-8 JSON from byte 16). */
export function headerOf(file: Uint8Array): Json {
  const len = new DataView(file.buffer, file.byteOffset).getUint32(12, true);
  return JSON.parse(new TextDecoder().decode(file.subarray(16, 16 + len)));
}
