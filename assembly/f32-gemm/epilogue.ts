import { applyAct, storeLanes } from "../common/simd";

// Shared pieces of the f32-gemm tiles and f32-gemv (not exported from the wasm module:
// index.ts only re-exports the kernels).

/** Bytes of input rows per pixel block at most (L2-resident A block). */
export const GEMM_BLOCK_BYTES: i32 = 96 * 1024;
/** Bytes of input + output rows per pixel block aimed at (L1-resident A and C block). */
export const GEMM_L1_BYTES: i32 = 24 * 1024;

/**
 * Rows of a pixel block: every weight panel sweeps over the block in turn, so the block's input
 * rows (k floats each) and output rows (n floats each) should stay in L1 between panels, and the
 * input rows at least in L2. A multiple of `mr`, at least 4 * mr (so the per-call cost of a
 * microkernel is spread over several row steps).
 */
// @ts-ignore: decorator
@inline export function blockRows(k: i32, n: i32, mr: i32): i32 {
  let rows = GEMM_L1_BYTES / ((k + n) << 2);
  rows = max(rows, min(4 * mr * 8, GEMM_BLOCK_BYTES / (max(k, 1) << 2)));
  return max(4 * mr, rows - rows % mr);
}

/** hswish, the same operations as applyAct(v, ACT_HSWISH). */
// @ts-ignore: decorator
@inline export function hswish(v: v128): v128 {
  const g = f32x4.min(f32x4.max(f32x4.add(v, f32x4.splat(3)), f32x4.splat(0)), f32x4.splat(6));
  return f32x4.mul(f32x4.mul(v, g), f32x4.splat(0.16666666666666666));
}

/**
 * Slow-path epilogue for one vector: the first min(count, 4) lanes (count >= 1) of
 * act(v + r) go to c (r == 0: no residual). Reads at most 16 bytes at r, i.e. at most 12 bytes
 * past the last live residual float; never writes past lane `count`. Deliberately not inlined.
 */
export function storeVec(c: usize, v: v128, r: usize, act: i32, count: i32): void {
  if (r != 0) v = f32x4.add(v, v128.load(r));
  storeLanes(c, applyAct(v, act), count);
}
