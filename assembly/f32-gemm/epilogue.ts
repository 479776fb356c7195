import { applyAct, storeLanes } from "../common/simd";

// Shared pieces of the f32-gemm tiles and f32-gemv (not exported from the wasm module:
// index.ts only re-exports the kernels).

/** Bytes of input rows per pixel block (see blockRows). */
export const GEMM_BLOCK_BYTES: i32 = 96 * 1024;

/**
 * Rows of a pixel block such that the block's input rows (rows x k floats) stay in L2 while
 * every weight panel sweeps over them. A multiple of `mr`, at least `mr`.
 */
// @ts-ignore: decorator
@inline export function blockRows(k: i32, mr: i32): i32 {
  const rows = (GEMM_BLOCK_BYTES >> 2) / max(k, 1);
  return max(mr, rows - rows % mr);
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
