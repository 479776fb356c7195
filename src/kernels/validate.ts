import { BufferError, ShapeError } from '../errors.js';
import { ACT_NAMES } from './act.js';
import { ARENA_BASE, SPARE_BYTES } from './memory.js';
import type { Kernels } from './loader.js';

/**
 * Argument checks shared by every kernel wrapper. They run before any wasm call so a bad
 * argument becomes a ShapeError/BufferError naming the kernel, the argument, the value and
 * the rule - never a trap or a silent out-of-bounds write.
 */

/** `value` must be an integer in [min, max]. */
export function checkInt(kernel: string, name: string, value: number, min: number, max = 0x7fffffff): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const rule = max === 0x7fffffff ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    throw new ShapeError(`${kernel}: argument '${name}' = ${String(value)} must be ${rule}`);
  }
}

/** `value` must be one of `allowed`. */
export function checkOneOf(kernel: string, name: string, value: number, allowed: readonly number[]): void {
  if (!allowed.includes(value)) {
    throw new ShapeError(`${kernel}: argument '${name}' = ${String(value)} must be one of ${allowed.join(', ')}`);
  }
}

/** A stride (in floats) must hold at least `min` floats per row/pixel. */
export function checkStride(kernel: string, name: string, value: number, min: number, what: string): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ShapeError(
      `${kernel}: argument '${name}' = ${String(value)} is smaller than ${what} = ${min}; a stride must hold at least that many floats`,
    );
  }
}

export function checkAct(kernel: string, act: number): void {
  if (!Number.isInteger(act) || act < 0 || act >= ACT_NAMES.length) {
    throw new ShapeError(
      `${kernel}: activation code ${String(act)} is unknown; use one of ${ACT_NAMES.map((n, i) => `${i}=${n}`).join(', ')}`,
    );
  }
}

/** Floats spanned by `rows` rows of `cols` floats, `stride` floats apart (0 when empty). */
export function stridedExtent(rows: number, cols: number, stride: number): number {
  return rows <= 0 || cols <= 0 ? 0 : (rows - 1) * stride + cols;
}

/**
 * `ptr` must be a 4-byte-aligned pointer such that [ptr, ptr + 4*floats) plus SPARE_BYTES of
 * over-read lie inside kernel memory and above the reserved low area.
 */
export function checkBuffer(k: Kernels, kernel: string, name: string, ptr: number, floats: number): void {
  if (floats <= 0) return;
  if (!Number.isInteger(ptr) || ptr % 4 !== 0 || ptr < ARENA_BASE) {
    throw new BufferError(
      `${kernel}: pointer '${name}' = ${String(ptr)} is not a 4-byte-aligned arena pointer (>= ${ARENA_BASE}); allocate buffers with kernels.arena.alloc`,
    );
  }
  const end = ptr + floats * 4;
  const size = k.memory.buffer.byteLength;
  if (end + SPARE_BYTES > size) {
    throw new BufferError(
      `${kernel}: buffer '${name}' spans bytes [${ptr}, ${end}) but kernel memory is ${size} bytes and ${SPARE_BYTES} spare bytes must follow every buffer; allocate it with kernels.arena.alloc`,
    );
  }
}

/** Output and input regions must not partly overlap (exact aliasing may be allowed by the caller). */
export function checkNoOverlap(kernel: string, a: string, aPtr: number, aFloats: number, b: string, bPtr: number, bFloats: number): void {
  if (aFloats <= 0 || bFloats <= 0) return;
  if (aPtr < bPtr + bFloats * 4 && bPtr < aPtr + aFloats * 4) {
    throw new BufferError(`${kernel}: buffers '${a}' and '${b}' overlap; give the output its own buffer`);
  }
}

/** A strided 2-D view: `rows` rows of `cols` floats, `stride` floats apart, at byte `ptr`. */
export interface View {
  name: string;
  ptr: number;
  rows: number;
  cols: number;
  stride: number;
}

function sameElements(a: View, b: View): boolean {
  if (a.ptr !== b.ptr || a.cols !== b.cols || a.rows !== b.rows) return false;
  return a.rows <= 1 || a.stride === b.stride;
}

/**
 * True when two strided views share at least one float. Exact when both views have the same
 * stride (or one of them has a single row), e.g. two channel slices of one NHWC tensor;
 * otherwise conservative (compares the spanned byte ranges). Needs cols <= stride (checked).
 */
export function viewsOverlap(a: View, b: View): boolean {
  if (a.rows <= 0 || a.cols <= 0 || b.rows <= 0 || b.cols <= 0) return false;
  const aEnd = a.ptr + 4 * stridedExtent(a.rows, a.cols, a.stride);
  const bEnd = b.ptr + 4 * stridedExtent(b.rows, b.cols, b.stride);
  if (a.ptr >= bEnd || b.ptr >= aEnd) return false;
  const stride = a.rows === 1 ? b.stride : b.rows === 1 ? a.stride : a.stride === b.stride ? a.stride : -1;
  if (stride <= 0 || a.cols > stride || b.cols > stride) return true;
  // b starts q rows and m floats (0 <= m < stride) after a's first float.
  const d = (b.ptr - a.ptr) / 4;
  const q = Math.floor(d / stride);
  const m = d - q * stride;
  const rowsMeet = (shift: number): boolean => shift < a.rows && shift + b.rows > 0;
  // b's row j covers a's row j + q at columns [m, m + b.cols) and row j + q + 1 at [m - stride, ...).
  if (m < a.cols && rowsMeet(q)) return true;
  if (m - stride + b.cols > 0 && rowsMeet(q + 1)) return true;
  return false;
}

/**
 * The output view `y` must not share floats with input `x`, except (when `allowAlias`) by being
 * exactly the same view (in-place elementwise ops).
 */
export function checkViewsDisjoint(kernel: string, y: View, x: View, allowAlias: boolean): void {
  if (allowAlias && sameElements(y, x)) return;
  if (viewsOverlap(y, x)) {
    throw new BufferError(
      `${kernel}: output '${y.name}' overlaps input '${x.name}'${allowAlias ? ' without being the same view (same pointer, stride and size)' : ''}; give the output its own buffer or a disjoint channel slice`,
    );
  }
}

/** A single contiguous run of `floats` floats at `ptr`, as a View. */
export function flatView(name: string, ptr: number, floats: number): View {
  return { name, ptr, rows: 1, cols: floats, stride: floats };
}
