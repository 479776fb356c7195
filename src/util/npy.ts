import { FormatError } from '../errors.js';
import { float16ToFloat32 } from '../format/float16.js';

/**
 * NumPy .npy files (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * the 6-byte magic "\x93NUMPY", a version (1.0 written; 1.0, 2.0 and 3.0 read), the header length
 * (uint16 LE in 1.0, uint32 LE in 2.0 / 3.0), an ASCII Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (1, 224, 224, 3), }` padded with spaces and a
 * final '\n' so the data starts on a 64-byte boundary, then the array data in C order.
 *
 * sepconv writes float32 ('<f4'). Reading converts these dtypes to float32: '<f4', '<f8', '<f2',
 * '<i4', '<i8', '|u1', '|i1' (and the byte-order-free spellings '<u1', '|b1' as 0 / 1). Fortran
 * order, big-endian or structured dtypes and object arrays are rejected with a FormatError.
 */

export interface NpyArray {
  /** The values as float32, C order. */
  data: Float32Array;
  /** The array shape; [] for a 0-d array (one value). */
  shape: number[];
  /** The dtype the file stored ('<f4', '<f8', ...). */
  dtype: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Bytes per element and a reader (DataView, byte offset) -> number, per supported descr. */
const DTYPES: Record<string, { size: number; get: (v: DataView, o: number) => number }> = {
  '<f4': { size: 4, get: (v, o) => v.getFloat32(o, true) },
  '<f8': { size: 8, get: (v, o) => v.getFloat64(o, true) },
  '<f2': { size: 2, get: (v, o) => float16ToFloat32(v.getUint16(o, true)) },
  '<i4': { size: 4, get: (v, o) => v.getInt32(o, true) },
  '<i8': { size: 8, get: (v, o) => Number(v.getBigInt64(o, true)) },
  '|u1': { size: 1, get: (v, o) => v.getUint8(o) },
  '<u1': { size: 1, get: (v, o) => v.getUint8(o) },
  '|i1': { size: 1, get: (v, o) => v.getInt8(o) },
  '|b1': { size: 1, get: (v, o) => (v.getUint8(o) ? 1 : 0) },
};

/** The dtypes readNpy accepts. */
export const NPY_DTYPES = Object.keys(DTYPES);

const fmtShape = (s: readonly number[]) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;

/** Parses a .npy file's bytes; `name` (a file name) is used in error messages. */
export function readNpy(bytes: Uint8Array, name = '.npy data'): NpyArray {
  const bad = (what: string) => new FormatError(`${name}: not a valid .npy file: ${what}`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    const got = Array.from(bytes.subarray(0, 6), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
    throw bad(bytes.length < 10 ? `${bytes.length} bytes is too short for the magic and header length (10 bytes)` : `bad magic '${got}' (expected '\\x93NUMPY')${bytes[0] === 0x50 && bytes[1] === 0x4b ? '; this looks like a zip file (.npz): save a single array with numpy.save' : ''}`);
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (major < 1 || major > 3) throw bad(`unsupported format version ${major}.${minor} (1.0, 2.0 and 3.0 are read)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw bad(`truncated in the header length (${bytes.length} bytes)`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > bytes.length) throw bad(`truncated header: it declares ${headerLen} bytes but the file has ${bytes.length - 8 - lenBytes} after the header length`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenBytes, dataStart));
  const { descr, fortranOrder, shape } = parseHeader(header, bad);
  if (fortranOrder) throw bad(`'fortran_order': True is not supported (save a C-order array: numpy.ascontiguousarray(x))`);
  const dt = DTYPES[descr];
  if (!dt) {
    throw bad(`unsupported dtype '${descr}' (supported: ${NPY_DTYPES.join(', ')}; convert with x.astype('<f4'))`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * dt.size;
  const have = bytes.length - dataStart;
  if (have !== need) {
    throw bad(`shape ${fmtShape(shape)} of '${descr}' needs ${need} bytes of data but the file has ${have}${have < need ? ' (truncated)' : ' (trailing bytes)'}`);
  }
  let data: Float32Array;
  if (descr === '<f4') {
    // a copy into a fresh, aligned buffer whatever the header length was (and not a view:
    // Buffer.prototype.slice would share the file's memory)
    data = new Float32Array(count);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart, dataStart + need));
  } else {
    data = new Float32Array(count);
    for (let i = 0, o = dataStart; i < count; i++, o += dt.size) data[i] = dt.get(view, o);
  }
  return { data, shape, dtype: descr };
}

/** The dict literal of a .npy header: a Python dict with 'descr', 'fortran_order' and 'shape'. */
function parseHeader(header: string, bad: (what: string) => FormatError): { descr: string; fortranOrder: boolean; shape: number[] } {
  const text = header.replace(/[\s\0]+$/, '');
  if (!/^\{[\s\S]*\}$/.test(text)) throw bad(`the header is not a Python dict literal: ${JSON.stringify(text.slice(0, 80))}`);
  const key = (k: string) => new RegExp(`['"]${k}['"]\\s*:\\s*`);
  const find = (k: string, value: RegExp): RegExpMatchArray => {
    const at = text.match(key(k));
    if (!at) throw bad(`the header has no '${k}' key: ${text}`);
    const rest = text.slice(at.index! + at[0].length);
    const m = rest.match(value);
    if (!m) throw bad(`cannot read the header's '${k}' value in ${text}`);
    return m;
  };
  // descr: a string; a list (structured dtype) does not match and is reported as unsupported
  const at = text.match(key('descr'));
  if (!at) throw bad(`the header has no 'descr' key: ${text}`);
  const dm = text.slice(at.index! + at[0].length).match(/^(['"])(.*?)\1/);
  if (!dm) throw bad(`unsupported dtype: structured arrays (a 'descr' list) are not supported: ${text}`);
  const descr = dm[2];
  const fortranOrder = find('fortran_order', /^(True|False)\b/)[1] === 'True';
  const sm = find('shape', /^\(([^)]*)\)/)[1].trim();
  const parts = sm === '' ? [] : sm.split(',').map((s) => s.trim()).filter((s, i, a) => !(s === '' && i === a.length - 1));
  const shape = parts.map((p) => (/^\d+L?$/.test(p) ? parseInt(p, 10) : NaN));
  if (shape.some((d) => !Number.isSafeInteger(d))) throw bad(`the shape (${sm}) is not a tuple of non-negative integers`);
  return { descr, fortranOrder, shape };
}

/** A float32 array as .npy bytes (format 1.0, '<f4', C order, header padded to 64 bytes as numpy does). */
export function writeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new FormatError(`writeNpy: shape [${shape.join(', ')}] must be non-negative integers`);
  if (count !== data.length) throw new FormatError(`writeNpy: shape [${shape.join(', ')}] holds ${count} values but the data has ${data.length}`);
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${fmtShape(shape)}, }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - 10 - 1, ' ') + '\n';
  if (dict.length > 0xffff) throw new FormatError(`writeNpy: the header of shape [${shape.join(', ')}] does not fit format 1.0`);
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
