import { describe, expect, it } from 'vitest';
import { decodeFloat16, encodeFloat16, float16ToFloat32, float32ToFloat16 } from '../../src/format/float16.js';
import { lcg } from './fixture.js';

// [value, IEEE binary16 bit pattern], written by hand
const EXACT: [number, number][] = [
  [0, 0x0000],
  [-0, 0x8000],
  [1, 0x3c00],
  [-1, 0xbc00],
  [0.5, 0x3800],
  [-2, 0xc000],
  [65504, 0x7bff], // largest finite half
  [2 ** -14, 0x0400], // smallest normal
  [2 ** -14 - 2 ** -24, 0x03ff], // largest subnormal
  [2 ** -24, 0x0001], // smallest subnormal
  [-(2 ** -24), 0x8001],
  [1 + 2 ** -10, 0x3c01],
  [2048, 0x6800],
  [Infinity, 0x7c00],
  [-Infinity, 0xfc00],
];

describe('float16', () => {
  it.each(EXACT)('encodes %d as its exact bit pattern and back', (value, bits) => {
    expect(float32ToFloat16(value)).toBe(bits);
    expect(Object.is(float16ToFloat32(bits), value)).toBe(true);
  });

  it('rounds to nearest, ties to even', () => {
    expect(float32ToFloat16(0.1)).toBe(0x2e66);
    expect(float32ToFloat16(1 / 3)).toBe(0x3555);
    expect(float32ToFloat16(1 + 2 ** -11)).toBe(0x3c00); // tie between 0x3c00 and 0x3c01 -> even
    expect(float32ToFloat16(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie between 0x3c01 and 0x3c02 -> even
    expect(float32ToFloat16(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // just above the tie
    expect(float32ToFloat16(2049)).toBe(0x6800); // tie -> 2048
    expect(float32ToFloat16(2051)).toBe(0x6802); // tie -> 2052
    expect(float32ToFloat16(-2051)).toBe(0xe802);
  });

  it('rounds subnormals and underflow correctly', () => {
    expect(float32ToFloat16(2 ** -25)).toBe(0x0000); // tie between 0 and 2^-24 -> even (0)
    expect(float32ToFloat16(-(2 ** -25))).toBe(0x8000);
    expect(float32ToFloat16(2 ** -25 * 1.0001)).toBe(0x0001); // above the tie
    expect(float32ToFloat16(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 -> 2
    expect(float32ToFloat16(2 ** -26)).toBe(0x0000);
    expect(float32ToFloat16(1e-30)).toBe(0x0000);
    expect(float32ToFloat16(1e-45)).toBe(0x0000); // float32 subnormal
    expect(float32ToFloat16(2 ** -14 - 2 ** -25)).toBe(0x0400); // tie between 0x03ff and 0x0400 -> even: rounds up to normal
    expect(float16ToFloat32(0x0001)).toBe(5.960464477539063e-8);
    expect(float16ToFloat32(0x03ff)).toBe(6.097555160522461e-5);
  });

  it('overflows to infinity above 65504 + half an ulp', () => {
    expect(float32ToFloat16(65519.99)).toBe(0x7bff);
    expect(float32ToFloat16(65520)).toBe(0x7c00); // tie between 65504 (odd) and 65536 -> inf
    expect(float32ToFloat16(1e10)).toBe(0x7c00);
    expect(float32ToFloat16(-1e10)).toBe(0xfc00);
  });

  it('maps NaN to a half NaN and decodes NaN patterns as NaN', () => {
    const h = float32ToFloat16(NaN);
    expect(h & 0x7c00).toBe(0x7c00);
    expect(h & 0x03ff).not.toBe(0);
    expect(float16ToFloat32(0x7e00)).toBeNaN();
    expect(float16ToFloat32(0xfc01)).toBeNaN();
  });

  it('decodes every pattern to a value that encodes back to the same pattern', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const decoded = decodeFloat16(all);
    const bad: string[] = [];
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNaN ? !Number.isNaN(decoded[h]) : float32ToFloat16(decoded[h]!) !== h) bad.push(h.toString(16));
    }
    expect(bad).toEqual([]);
  });

  it('picks the nearest half for random values (checked against both neighbours)', () => {
    const rnd = lcg(7);
    const bad: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const x = Math.fround((rnd() - 0.5) * 2 ** (Math.floor(rnd() * 40) - 24));
      const h = float32ToFloat16(x);
      const err = Math.abs(float16ToFloat32(h) - x);
      for (const n of [h - 1, h + 1]) {
        if ((n & 0x7fff) < 0x7c00 && (n & 0x8000) === (h & 0x8000) && err > Math.abs(float16ToFloat32(n) - x)) bad.push(x);
      }
      if (err > Math.abs(x) * 2 ** -11 + 2 ** -25) bad.push(x);
    }
    expect(bad).toEqual([]);
  });

  it('encodes arrays', () => {
    expect(Array.from(encodeFloat16(new Float32Array([1, -2, 65504])))).toEqual([0x3c00, 0xc000, 0x7bff]);
  });
});
