import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { readNpy, writeNpy } from '../../src/util/npy.js';

/** A .npy file as numpy 1.x / 2.x writes it: magic, version, uint16 header length, dict padded to 64 bytes with '\n'. */
function npyBytes(dict: string, data: Uint8Array, version: [number, number] = [1, 0], pad = 64): Uint8Array {
  const lenBytes = version[0] === 1 ? 2 : 4;
  const total = Math.ceil((8 + lenBytes + dict.length + 1) / pad) * pad;
  const header = dict.padEnd(total - 8 - lenBytes - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version[0], version[1]]);
  const v = new DataView(out.buffer);
  if (lenBytes === 2) v.setUint16(8, header.length, true);
  else v.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[8 + lenBytes + i] = header.charCodeAt(i);
  out.set(data, total);
  return out;
}
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('.npy', () => {
  it('round trips float32 arrays of every rank (0-d, 1-d, 4-d, empty)', () => {
    for (const shape of [[], [5], [2, 3], [1, 4, 4, 3], [0, 3]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1e3);
      const bytes = writeNpy(data, shape);
      const back = readNpy(bytes);
      expect(back.shape).toEqual(shape);
      expect(back.dtype).toBe('<f4');
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });

  it('writes the header numpy writes (byte for byte: np.save(np.arange(24, dtype="<f4").reshape(2, 3, 4)))', () => {
    const bytes = writeNpy(Float32Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    const expected = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }", bytesOf(Float32Array.from({ length: 24 }, (_, i) => i)));
    expect(Buffer.from(bytes).equals(Buffer.from(expected))).toBe(true);
    expect(bytes.length).toBe(128 + 96);
    // 1-d shapes are written as Python 1-tuples
    expect(new TextDecoder().decode(writeNpy(new Float32Array(3), [3]).subarray(10, 70))).toContain("'shape': (3,), }");
  });

  it('reads headers written by hand as numpy would: other dtypes become float32', () => {
    const f8 = readNpy(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", bytesOf(new Float64Array([0.5, -2, 1e10]))));
    expect(f8).toMatchObject({ shape: [3], dtype: '<f8' });
    expect(Array.from(f8.data)).toEqual([0.5, -2, 1e10]);
    const i4 = readNpy(npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", bytesOf(new Int32Array([1, -2, 3, 2 ** 30]))));
    expect(Array.from(i4.data)).toEqual([1, -2, 3, 2 ** 30]);
    const u1 = readNpy(npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 4), }", new Uint8Array([0, 1, 128, 255])));
    expect(u1.shape).toEqual([1, 1, 4]);
    expect(Array.from(u1.data)).toEqual([0, 1, 128, 255]);
    const i8 = readNpy(npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", bytesOf(new BigInt64Array([-5n, 7n]))));
    expect(Array.from(i8.data)).toEqual([-5, 7]);
    // scalar (0-d), key order and quotes as other writers use them, format 2.0, 16-byte padding (old numpy)
    const s = readNpy(npyBytes('{"shape": (), "fortran_order": False, "descr": "<f4"}', bytesOf(new Float32Array([3.5])), [2, 0], 16));
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data)).toEqual([3.5]);
    // the data of a .npy need not be 4-byte aligned in memory
    const raw = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", bytesOf(new Float32Array([1, 2])));
    const shifted = new Uint8Array(raw.length + 1).subarray(1);
    shifted.set(raw);
    expect(Array.from(readNpy(shifted).data)).toEqual([1, 2]);
  });

  it('rejects malformed files with a FormatError naming what is wrong', () => {
    const good = writeNpy(new Float32Array([1, 2, 3, 4]), [2, 2]);
    const err = (b: Uint8Array) => {
      try {
        readNpy(b, 'x.npy');
      } catch (e) {
        expect(e).toBeInstanceOf(FormatError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    const badMagic = good.slice();
    badMagic.set([0x50, 0x4b, 0x03, 0x04], 0); // a .npz (zip)
    expect(err(badMagic)).toMatch(/^x\.npy: not a valid \.npy file: bad magic 'PK\\x03\\x04PY' \(expected '\\x93NUMPY'\); this looks like a zip file \(\.npz\)/);
    badMagic.set([0x89, 0x50, 0x4e, 0x47], 0); // a PNG
    expect(err(badMagic)).toMatch(/bad magic '\\x89PNGPY' \(expected '\\x93NUMPY'\)$/);
    expect(err(new Uint8Array(4))).toMatch(/too short/);
    expect(err(good.subarray(0, good.length - 3))).toMatch(/shape \(2, 2\) of '<f4' needs 16 bytes of data but the file has 13 \(truncated\)/);
    expect(err(good.subarray(0, 40))).toMatch(/truncated header: it declares 118 bytes/);
    const extra = new Uint8Array(good.length + 4);
    extra.set(good);
    expect(err(extra)).toMatch(/needs 16 bytes of data but the file has 20 \(trailing bytes\)/);
    expect(err(npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new Uint8Array(16)))).toMatch(/'fortran_order': True is not supported/);
    expect(err(npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(8)))).toMatch(/unsupported dtype '>f4' \(supported: <f4, <f8/);
    expect(err(npyBytes("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(16)))).toMatch(/unsupported dtype '<c8'/);
    expect(err(npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", new Uint8Array(8)))).toMatch(/structured arrays/);
    expect(err(npyBytes("{'descr': '<f4', 'fortran_order': False}", new Uint8Array(8)))).toMatch(/no 'shape' key/);
    expect(err(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", new Uint8Array(8)))).toMatch(/shape \(2, -1\) is not a tuple of non-negative integers/);
    expect(err(npyBytes('not a dict', new Uint8Array(0)))).toMatch(/not a Python dict literal/);
    expect(err(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4), [4, 0]))).toMatch(/unsupported format version 4\.0/);
  });

  it('writeNpy checks the shape against the data', () => {
    expect(() => writeNpy(new Float32Array(5), [2, 3])).toThrow(/shape \[2, 3\] holds 6 values but the data has 5/);
  });
});
