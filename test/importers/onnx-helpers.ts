/**
 * Test helpers for the ONNX importer: tiny ONNX models written with protobufjs (through the
 * importer's own schema), onnxruntime-web (Node, wasm backend, one thread) as the independent
 * reference, and the comparison used throughout (max|diff| <= rel * max|ref|).
 */
import * as ort from 'onnxruntime-web';
import { expect } from 'vitest';
import { AttrType, DataType, encodeModel, type OnnxAttributeProto, type OnnxNodeProto, type OnnxTensorProto } from '../../src/importers/onnx/proto.js';
import { floatTensor, int64Tensor } from '../../src/importers/onnx/tensor.js';
import { Session, type SessionOptions } from '../../src/runtime/session.js';
import { mulberry32 } from '../../src/util/random.js';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

export type AttrValue = number | number[] | string | { f: number } | { floats: number[] } | { t: OnnxTensorProto };

export function attr(name: string, v: AttrValue): OnnxAttributeProto {
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: AttrType.INT, i: v };
  if (Array.isArray(v)) return { name, type: AttrType.INTS, ints: v };
  if ('f' in v) return { name, type: AttrType.FLOAT, f: v.f };
  if ('floats' in v) return { name, type: AttrType.FLOATS, floats: v.floats };
  return { name, type: AttrType.TENSOR, t: v.t };
}

/** A NodeProto; the node is named after its first output unless `name` is given. */
export function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name = outputs[0]): OnnxNodeProto {
  return { name, op_type: op, input: inputs, output: outputs, attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)) };
}

export const f32 = floatTensor;
export const i64 = int64Tensor;

/** Seeded uniform values in [lo, hi). */
export function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** A FLOAT initializer of random values. */
export function randInit(name: string, dims: number[], seed: number, lo = -1, hi = 1): OnnxTensorProto {
  return f32(name, dims, rand(dims.reduce((a, b) => a * b, 1), seed, lo, hi));
}

export interface TinyModel {
  nodes: OnnxNodeProto[];
  inits?: OnnxTensorProto[];
  inputs: Record<string, number[]>;
  /** output names (shapes left to the runtimes) */
  outputs: string[];
  opset?: number;
}

export function model(m: TinyModel): Uint8Array {
  const vi = (name: string, dims?: number[]) => ({ name, type: { tensor_type: { elem_type: DataType.FLOAT, ...(dims ? { shape: { dim: dims.map((d) => ({ dim_value: d })) } } : {}) } } });
  return encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: m.opset ?? 17 }],
    producer_name: 'sepconv-test',
    graph: {
      name: 'tiny',
      node: m.nodes,
      initializer: m.inits ?? [],
      input: Object.entries(m.inputs).map(([k, d]) => vi(k, d)),
      output: m.outputs.map((o) => vi(o)),
    },
  });
}

export interface Out {
  data: Float32Array;
  dims: number[];
}

/** ONNX Runtime (web, wasm backend, one thread) outputs for NCHW feeds. */
export async function runOrt(bytes: Uint8Array, feeds: Record<string, Out>): Promise<Record<string, Out>> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
  const r = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)])));
  const out: Record<string, Out> = {};
  for (const k of s.outputNames) out[k] = { data: r[k].data as Float32Array, dims: [...r[k].dims] };
  await s.release();
  return out;
}

/** sepconv outputs (Session over the ONNX bytes, NCHW I/O) for the same feeds. */
export async function runOurs(bytes: Uint8Array, feeds: Record<string, Out>, options: SessionOptions = {}): Promise<Record<string, Out>> {
  const s = await Session.create(bytes, { variant: 'simd', ...options });
  const r = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, { data: v.data, shape: v.dims }])));
  s.release();
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { data: v.data, dims: v.shape }]));
}

/** max|ours - ref| / max|ref| for one output; asserts the shapes match and the ratio is within rel. */
export function compare(ours: Out, ref: Out, label: string, rel = 1e-4): number {
  expect(ours.dims, `${label}: shape`).toEqual(ref.dims);
  let maxRef = 0;
  let maxDiff = 0;
  for (let i = 0; i < ref.data.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(ref.data[i]));
    const d = Math.abs(ours.data[i] - ref.data[i]);
    maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
  }
  const ratio = maxDiff / Math.max(maxRef, 1e-12);
  expect(ratio, `${label}: max|diff| ${maxDiff} vs max|ref| ${maxRef}`).toBeLessThanOrEqual(rel);
  return ratio;
}

/** Runs a tiny model in ORT and in sepconv on random inputs and compares every output. */
export async function parity(m: TinyModel, label: string, seed = 1, rel = 1e-4): Promise<Record<string, number>> {
  const bytes = model(m);
  const feeds = Object.fromEntries(Object.entries(m.inputs).map(([k, d], i) => [k, { data: rand(d.reduce((a, b) => a * b, 1), seed + i), dims: d }]));
  const ref = await runOrt(bytes, feeds);
  const ours = await runOurs(bytes, feeds);
  const res: Record<string, number> = {};
  for (const o of m.outputs) res[o] = compare(ours[o], ref[o], `${label} '${o}'`, rel);
  return res;
}
