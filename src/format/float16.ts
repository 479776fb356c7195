/**
 * IEEE 754 binary16 ("half") <-> binary32 conversion.
 *
 * float32 -> float16 rounds to nearest, ties to even, produces half subnormals (down to 2^-24 = 0x0001),
 * overflows to +-Infinity (anything that rounds above 65504 = 0x7bff), keeps the sign of zero and maps
 * NaN to a quiet half NaN (0x7e00 | top payload bits). Inputs are first rounded to float32, as they
 * would be when stored in a Float32Array.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds a number to float32, then to the nearest float16; returns the 16-bit pattern. */
export function float32ToFloat16(value: number): number {
  f32[0] = value;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;

  if (exp === 0xff) return mant !== 0 ? sign | 0x7e00 | (mant >>> 13) : sign | 0x7c00;

  const e = exp - 127 + 15; // half biased exponent
  if (e >= 0x1f) return sign | 0x7c00; // too large: infinity

  if (e >= 1) {
    // normal half: keep 10 of 23 mantissa bits, round the 13 dropped bits to nearest even;
    // a carry out of the mantissa correctly bumps the exponent (and 0x7bff + 1 = 0x7c00 = inf).
    let h = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++;
    return sign | h;
  }

  // half subnormal (or zero): value = m * 2^-24 with m = significand >> shift
  const shift = 14 - e; // >= 14
  if (shift > 24) return sign; // below 2^-25: rounds to zero (2^-25 itself is a tie to even 0)
  const sig = mant | 0x800000;
  let m = sig >>> shift;
  const rem = sig & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rem > half || (rem === half && (m & 1) === 1)) m++; // m may become 0x400: smallest normal
  return sign | m;
}

/** The float16 bit pattern `h` (low 16 bits used) as a number (exactly representable in float32). */
export function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m !== 0 ? NaN : sign * Infinity;
  return sign * (1024 + m) * 2 ** (e - 25);
}

/** Encodes every element of `src` to float16 bit patterns. */
export function encodeFloat16(src: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = float32ToFloat16(src[i]!);
  return out;
}

/**
 * Float16 with error feedback along each of `rows` rows of `len` values (row r, element j at
 * r * rowStride + j * step): every value is rounded after adding the rounding error carried from
 * the previous one, so each row's sum keeps float32 accuracy while single values move by at most
 * one float16 step. For weights, rows are the reductions of one output channel: a layer's error
 * then no longer has a common-mode part, which is what inputs of one sign (after ReLU) amplify.
 * Values already representable in float16 are kept exactly.
 */
export function encodeFloat16ErrorFeedback(src: Float32Array, rows: number, len: number, rowStride: number, step: number): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let r = 0; r < rows; r++) {
    let carry = 0;
    for (let j = 0; j < len; j++) {
      const i = r * rowStride + j * step;
      const want = src[i]! + carry;
      const h = float32ToFloat16(Math.fround(want));
      out[i] = h;
      const got = float16ToFloat32(h);
      carry = Number.isFinite(got) ? want - got : 0;
    }
  }
  return out;
}

let decodeTable: Float32Array | undefined;

/** Decodes float16 bit patterns to float32 (through a lazily built 65536-entry table). */
export function decodeFloat16(src: ArrayLike<number>, dst: Float32Array = new Float32Array(src.length)): Float32Array {
  if (!decodeTable) {
    decodeTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) decodeTable[h] = float16ToFloat32(h);
  }
  const t = decodeTable;
  for (let i = 0; i < src.length; i++) dst[i] = t[src[i]! & 0xffff]!;
  return dst;
}
