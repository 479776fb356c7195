/**
 * Reads a .sepconv file (docs/format.md) into a Graph.
 *
 * Everything about the file is checked before any tensor data is allocated, in this order: size vs
 * the fixed header, magic, version, header length vs file size, UTF-8 + JSON, header structure and
 * field types, the tensor table (names, dtypes, shapes and element counts, offsets and lengths,
 * alignment, quantization parameters, overlaps), graph inputs, nodes (op schema, then input
 * references, in order), graph outputs. Then every blob's CRC-32, then dequantization.
 * Every failure is a FormatError (or UnsupportedOpError for ops/attributes this version lacks).
 */
import { FormatError } from '../errors.js';
import type { Constant, Graph, Node, TensorSpec } from '../graph/ir.js';
import { crc32 } from './crc32.js';
import { decodeFloat16 } from './float16.js';
import { REEXPORT_HINT, validateNode } from './schema.js';
import {
  BLOB_ALIGN,
  DTYPE_SIZE,
  DTYPES,
  FIXED_HEADER_BYTES,
  FORMAT_MAJOR,
  HOST_LITTLE_ENDIAN,
  MAGIC,
  MAX_HEADER_BYTES,
  MAX_RANK,
  MAX_TENSOR_ELEMENTS,
  type Dtype,
  type HeaderNode,
  type QuantParams,
  type TensorEntry,
} from './spec.js';

const TRUNCATED = `the file is truncated or corrupt: copy or download it again, or ${REEXPORT_HINT}`;
const CORRUPT = `the file is corrupt: copy or download it again, or ${REEXPORT_HINT}`;
const NEWER = 'this file needs a newer sepconv: upgrade sepconv, or re-export the model with this version of `sepconv export`';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const hex32 = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
const show = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** Type checks on parsed JSON; every failure names the JSON path. */
class Json {
  constructor(readonly file: string) {}

  fail(path: string, what: string): never {
    throw new FormatError(`${this.file} header, ${path}: ${what}; ${REEXPORT_HINT}.`);
  }

  object(v: unknown, path: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, `expected an object, got ${show(v)}`);
    return v as Record<string, unknown>;
  }

  array(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, `expected a list, got ${show(v)}`);
    return v;
  }

  string(v: unknown, path: string): string {
    if (typeof v !== 'string' || v === '') this.fail(path, `expected a non-empty string, got ${show(v)}`);
    return v;
  }

  uint(v: unknown, path: string, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
      this.fail(path, `expected an integer in 0..${max}, got ${show(v)}`);
    }
    return v;
  }

  /** A shape: at most MAX_RANK positive integer dims with at most MAX_TENSOR_ELEMENTS elements. */
  shape(v: unknown, path: string): { shape: number[]; count: number } {
    const dims = this.array(v, path);
    if (dims.length > MAX_RANK) this.fail(path, `rank ${dims.length} exceeds the maximum rank ${MAX_RANK}`);
    let count = 1;
    dims.forEach((d, i) => {
      if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
        this.fail(`${path}[${i}]`, `dimension ${show(d)} is not a positive integer (shape ${show(dims)})`);
      }
      count *= d;
      if (count > MAX_TENSOR_ELEMENTS) {
        this.fail(path, `shape ${show(dims)} has more than ${MAX_TENSOR_ELEMENTS} elements, an absurd size for a tensor`);
      }
    });
    return { shape: dims as number[], count };
  }

  stringList(v: unknown, path: string): string[] {
    return this.array(v, path).map((s, i) => this.string(s, `${path}[${i}]`));
  }
}

interface CheckedTensor extends TensorEntry {
  count: number;
}

function checkTensor(
  j: Json,
  raw: unknown,
  path: string,
  fileSize: number,
  headerEnd: number,
): CheckedTensor {
  const t = j.object(raw, path);
  const name = j.string(t.name, `${path}.name`);
  const at = `${path} ('${name}')`;
  const { shape, count } = j.shape(t.shape, `${at}.shape`);
  const dtype = t.dtype;
  if (typeof dtype !== 'string' || !DTYPES.includes(dtype as Dtype)) {
    throw new FormatError(
      `${j.file} header, ${at}.dtype: unknown dtype ${show(dtype)}; this reader knows ${DTYPES.join(', ')}. ${NEWER}.`,
    );
  }
  const size = DTYPE_SIZE[dtype as Dtype];
  const offset = j.uint(t.offset, `${at}.offset`);
  const length = j.uint(t.length, `${at}.length`);
  if (offset % BLOB_ALIGN !== 0) j.fail(`${at}.offset`, `byte offset ${offset} is not a multiple of ${BLOB_ALIGN}`);
  if (offset < headerEnd) j.fail(`${at}.offset`, `byte offset ${offset} lies inside the fixed header and JSON header (bytes 0..${headerEnd - 1})`);
  if (offset + length > fileSize) {
    throw new FormatError(
      `${j.file} header, ${at}: blob at bytes ${offset}..${offset + length - 1} runs past the end of the file (${fileSize} bytes); ${TRUNCATED}.`,
    );
  }
  if (length !== count * size) {
    j.fail(`${at}.length`, `${length} bytes, but shape ${show(shape)} of ${dtype} needs ${count} * ${size} = ${count * size} bytes`);
  }
  const crc = j.uint(t.crc32, `${at}.crc32`, 0xffffffff);
  const entry: CheckedTensor = { name, shape, dtype: dtype as Dtype, offset, length, crc32: crc, count };

  if (dtype === 'int8') {
    if (t.quant === undefined) j.fail(`${at}.quant`, 'int8 tensor without quantization parameters {axis, scales, zeroPoints}');
    const q = j.object(t.quant, `${at}.quant`);
    const axis = j.uint(q.axis, `${at}.quant.axis`);
    if (axis >= shape.length) j.fail(`${at}.quant.axis`, `axis ${axis} is out of range for shape ${show(shape)}`);
    const channels = shape[axis]!;
    const scales = j.array(q.scales, `${at}.quant.scales`);
    const zeroPoints = j.array(q.zeroPoints, `${at}.quant.zeroPoints`);
    if (scales.length !== channels) j.fail(`${at}.quant.scales`, `${scales.length} scales for ${channels} channels along axis ${axis}`);
    if (zeroPoints.length !== channels) {
      j.fail(`${at}.quant.zeroPoints`, `${zeroPoints.length} zero points for ${channels} channels along axis ${axis}`);
    }
    scales.forEach((s, i) => {
      if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0) j.fail(`${at}.quant.scales[${i}]`, `scale ${show(s)} is not a finite positive number`);
    });
    zeroPoints.forEach((z, i) => {
      if (typeof z !== 'number' || !Number.isInteger(z) || z < -128 || z > 127) {
        j.fail(`${at}.quant.zeroPoints[${i}]`, `zero point ${show(z)} is not an integer in -128..127`);
      }
    });
    entry.quant = { axis, scales: scales as number[], zeroPoints: zeroPoints as number[] };
  } else if (t.quant !== undefined) {
    j.fail(`${at}.quant`, `quantization parameters on a ${dtype} tensor (only int8 tensors have them)`);
  }
  if (dtype === 'uint8') {
    if (t.affine === undefined) j.fail(`${at}.affine`, 'uint8 tensor without its parameters {scale, min}');
    const a = j.object(t.affine, `${at}.affine`);
    if (typeof a.scale !== 'number' || !Number.isFinite(a.scale) || a.scale <= 0) j.fail(`${at}.affine.scale`, `scale ${show(a.scale)} is not a finite positive number`);
    if (typeof a.min !== 'number' || !Number.isFinite(a.min)) j.fail(`${at}.affine.min`, `min ${show(a.min)} is not a finite number`);
    entry.affine = { scale: a.scale, min: a.min };
  } else if (t.affine !== undefined) {
    j.fail(`${at}.affine`, `uint8 parameters on a ${dtype} tensor (only uint8 tensors have them)`);
  }
  return entry;
}

function readBlob(bytes: Uint8Array, t: TensorEntry): Float32Array {
  // slice() copies into a fresh, aligned ArrayBuffer
  const raw = bytes.slice(t.offset, t.offset + t.length);
  const n = t.length / DTYPE_SIZE[t.dtype];
  if (t.dtype === 'float32') {
    if (HOST_LITTLE_ENDIAN) return new Float32Array(raw.buffer);
    const dv = new DataView(raw.buffer);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
    return out;
  }
  if (t.dtype === 'float16') {
    let h: Uint16Array;
    if (HOST_LITTLE_ENDIAN) h = new Uint16Array(raw.buffer);
    else {
      const dv = new DataView(raw.buffer);
      h = new Uint16Array(n);
      for (let i = 0; i < n; i++) h[i] = dv.getUint16(i * 2, true);
    }
    return decodeFloat16(h);
  }
  if (t.dtype === 'uint8') {
    const { scale, min } = t.affine!;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = raw[i]! * scale + min;
    return out;
  }
  const q = new Int8Array(raw.buffer);
  const { axis, scales, zeroPoints } = t.quant as QuantParams;
  let inner = 1;
  for (let d = axis + 1; d < t.shape.length; d++) inner *= t.shape[d]!;
  const channels = t.shape[axis]!;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / inner) % channels;
    out[i] = (q[i]! - zeroPoints[c]!) * Math.fround(scales[c]!);
  }
  return out;
}

/**
 * Parses and validates a .sepconv file. `source` names the file in error messages.
 * Throws FormatError / UnsupportedOpError; never returns a partially checked graph.
 */
export function readSepconv(bytes: Uint8Array, source = 'model.sepconv'): Graph {
  const file = source;
  if (!(bytes instanceof Uint8Array)) {
    throw new FormatError(`${file}: readSepconv expects the file's bytes as a Uint8Array, got ${Object.prototype.toString.call(bytes)}.`);
  }
  // A Node Buffer's slice() is a view into a shared pool, not a copy: use plain Uint8Array semantics.
  if (Object.getPrototypeOf(bytes) !== Uint8Array.prototype) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.length;

  // 1. fixed header: magic (8) | major u16 | minor u16 | header length u32
  if (size === 0) throw new FormatError(`${file}: the file is empty (0 bytes); ${TRUNCATED}.`);
  if (size < FIXED_HEADER_BYTES) {
    const prefixOk = bytes.every((b, i) => i >= MAGIC.length || b === MAGIC[i]);
    throw new FormatError(
      `${file}: the file is ${size} bytes, shorter than the ${FIXED_HEADER_BYTES}-byte fixed header (magic, version, header length)` +
        `${prefixOk ? '' : ' and does not start with the sepconv magic'}; ${TRUNCATED}.`,
    );
  }
  // 2. magic
  const magic = bytes.subarray(0, MAGIC.length);
  if (!magic.every((b, i) => b === MAGIC[i])) {
    throw new FormatError(
      `${file}: bytes 0..7 are ${hex(magic)}, not the sepconv magic "SEPCONV\\0" (${hex(MAGIC)}): this is not a .sepconv file. ` +
        `Convert ONNX / TFLite models with \`sepconv export\`.`,
    );
  }
  // 3. version
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = dv.getUint16(8, true);
  const minor = dv.getUint16(10, true);
  if (major > FORMAT_MAJOR) {
    throw new FormatError(`${file}: format version ${major}.${minor} (byte 8) is newer than this reader (${FORMAT_MAJOR}.x); ${NEWER}.`);
  }
  if (major < 1) {
    throw new FormatError(`${file}: format version ${major}.${minor} (byte 8) is not a released version (the first is 1.0); ${REEXPORT_HINT}.`);
  }
  // 4. header length
  const headerLength = dv.getUint32(12, true);
  const headerEnd = FIXED_HEADER_BYTES + headerLength;
  if (headerLength === 0) throw new FormatError(`${file}: header length (byte 12) is 0; ${CORRUPT}.`);
  if (headerEnd > size) {
    throw new FormatError(
      `${file}: header length ${headerLength} (byte 12) runs past the end of the file: the header would end at byte ${headerEnd}, ` +
        `the file is ${size} bytes; ${TRUNCATED}.`,
    );
  }
  if (headerLength > MAX_HEADER_BYTES) {
    throw new FormatError(`${file}: header length ${headerLength} (byte 12) exceeds the ${MAX_HEADER_BYTES}-byte limit; ${CORRUPT}.`);
  }
  // 5. UTF-8 JSON
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(FIXED_HEADER_BYTES, headerEnd));
  } catch {
    throw new FormatError(`${file}: the header (bytes ${FIXED_HEADER_BYTES}..${headerEnd - 1}) is not valid UTF-8; ${CORRUPT}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new FormatError(
      `${file}: the header (bytes ${FIXED_HEADER_BYTES}..${headerEnd - 1}) is not valid JSON (${(e as Error).message}); ${CORRUPT}.`,
    );
  }

  // 6. header structure
  const j = new Json(file);
  const h = j.object(parsed, 'top level');
  const name = typeof h.name === 'string' ? h.name : j.fail('name', `expected a string, got ${show(h.name)}`);
  if (h.layout !== undefined && h.layout !== 'NCHW') j.fail('layout', `${show(h.layout)} is not a known I/O layout (only "NCHW"; absent means NHWC)`);
  const rawInputs = j.array(h.inputs, 'inputs');
  const outputs = j.stringList(h.outputs, 'outputs');
  const rawNodes = j.array(h.nodes, 'nodes');
  const rawTensors = j.array(h.tensors, 'tensors');
  if (rawInputs.length === 0) j.fail('inputs', 'the graph has no inputs');
  if (outputs.length === 0) j.fail('outputs', 'the graph has no outputs');

  // 7. tensor table
  const tensors = rawTensors.map((t, i) => checkTensor(j, t, `tensors[${i}]`, size, headerEnd));
  const defined = new Map<string, string>(); // tensor name -> what defines it
  for (const [i, t] of tensors.entries()) {
    const prev = defined.get(t.name);
    if (prev) j.fail(`tensors[${i}] ('${t.name}').name`, `duplicate tensor name, already used by ${prev}`);
    defined.set(t.name, `tensors[${i}]`);
  }
  const byOffset = [...tensors].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const a = byOffset[i - 1]!;
    const b = byOffset[i]!;
    if (b.offset < a.offset + a.length) {
      j.fail(
        `tensors ('${a.name}', '${b.name}')`,
        `blobs overlap: '${a.name}' is bytes ${a.offset}..${a.offset + a.length - 1}, '${b.name}' starts at ${b.offset}`,
      );
    }
  }

  // 8. graph inputs, nodes, outputs
  const inputs: TensorSpec[] = rawInputs.map((raw, i) => {
    const o = j.object(raw, `inputs[${i}]`);
    const inName = j.string(o.name, `inputs[${i}].name`);
    const { shape } = j.shape(o.shape, `inputs[${i}] ('${inName}').shape`);
    const prev = defined.get(inName);
    if (prev) j.fail(`inputs[${i}] ('${inName}').name`, `name already used by ${prev}`);
    defined.set(inName, `inputs[${i}]`);
    return { name: inName, shape: [...shape] };
  });
  const nodeNames = new Set<string>();
  const nodes: Node[] = rawNodes.map((raw, i) => {
    const n = j.object(raw, `nodes[${i}]`);
    const where = `${file} header, nodes[${i}]`;
    const node: HeaderNode = {
      name: n.name as string,
      op: n.op as string,
      inputs: n.inputs as string[],
      outputs: n.outputs as string[],
      attrs: n.attrs as Record<string, unknown>,
    };
    validateNode(node, where); // types of name/inputs/outputs/attrs, op, counts, attributes
    if (nodeNames.has(node.name)) j.fail(`nodes[${i}] ('${node.name}').name`, 'duplicate node name');
    nodeNames.add(node.name);
    node.inputs.forEach((input, k) => {
      if (input === '' && k === 2 && node.op === 'Conv2D') return; // no bias (fused residual form)
      if (!defined.has(input)) {
        j.fail(
          `nodes[${i}] ('${node.name}').inputs[${k}]`,
          `'${input}' is not a graph input, a tensor of the file or an output of an earlier node`,
        );
      }
    });
    node.outputs.forEach((out, k) => {
      const prev = defined.get(out);
      if (prev) j.fail(`nodes[${i}] ('${node.name}').outputs[${k}]`, `'${out}' is already defined by ${prev}`);
      defined.set(out, `nodes[${i}] ('${node.name}')`);
    });
    return { name: node.name, op: node.op, inputs: [...node.inputs], outputs: [...node.outputs], attrs: node.attrs } as Node;
  });
  outputs.forEach((out, i) => {
    if (!defined.has(out)) j.fail(`outputs[${i}]`, `graph output '${out}' is not produced by any node, nor a graph input or tensor`);
  });

  // 9. CRC of every blob, before any tensor data is decoded
  for (const t of tensors) {
    const actual = crc32(bytes.subarray(t.offset, t.offset + t.length));
    if (actual !== t.crc32) {
      throw new FormatError(
        `${file}: tensor '${t.name}' (bytes ${t.offset}..${t.offset + t.length - 1}) has CRC-32 ${hex32(actual)}, ` +
          `the header says ${hex32(t.crc32)}; ${CORRUPT}.`,
      );
    }
  }

  // 10. decode
  const constants = new Map<string, Constant>();
  for (const t of tensors) {
    constants.set(t.name, { name: t.name, shape: [...t.shape], data: readBlob(bytes, t), ...(t.affine ? { affine: { ...t.affine } } : {}) });
  }
  return { name, inputs, outputs, nodes, constants, ...(h.layout === 'NCHW' ? { layout: 'NCHW' as const } : {}) };
}

