import { applyAct, storeLanes } from "../common/simd";

// Shared pieces of the f32-gemm tiles (not exported from the wasm module: index.ts only
// re-exports the kernels). The epilogues are deliberately real functions, called once per
// output row of a tile, so the microkernels stay small and their K loops keep every
// accumulator in a register (V8 allocates registers per function).

/**
 * Rows of a pixel block such that the block's input rows (rows x k floats) stay in L2 while
 * every weight panel sweeps over them. A multiple of `mr`, at least `mr`.
 */
// @ts-ignore: decorator
@inline export function blockRows(k: i32, mr: i32): i32 {
  const rows = (GEMM_BLOCK_BYTES >> 2) / max(k, 1);
  return max(mr, rows - rows % mr);
}

/** Bytes of input rows per pixel block (see blockRows). */
export const GEMM_BLOCK_BYTES: i32 = 96 * 1024;

/**
 * Writes one output row of 16 channels: c[j] = act(v[j] + r[j]) for j < nc (r == 0: no
 * residual). Never reads residual vectors whose first lane is >= nc and never writes past nc.
 */
export function storeRow16(c: usize, v0: v128, v1: v128, v2: v128, v3: v128, r: usize, act: i32, nc: i32): void {
  if (nc >= 16) {
    if (r != 0) {
      v0 = f32x4.add(v0, v128.load(r));
      v1 = f32x4.add(v1, v128.load(r, 16));
      v2 = f32x4.add(v2, v128.load(r, 32));
      v3 = f32x4.add(v3, v128.load(r, 48));
    }
    v128.store(c, applyAct(v0, act));
    v128.store(c, applyAct(v1, act), 16);
    v128.store(c, applyAct(v2, act), 32);
    v128.store(c, applyAct(v3, act), 48);
    return;
  }
  storeRowTail(c, v0, r, act, nc);
  if (nc > 4) storeRowTail(c + 16, v1, r != 0 ? r + 16 : 0, act, nc - 4);
  if (nc > 8) storeRowTail(c + 32, v2, r != 0 ? r + 32 : 0, act, nc - 8);
  if (nc > 12) storeRowTail(c + 48, v3, r != 0 ? r + 48 : 0, act, nc - 12);
}

/** Writes one output row of 8 channels (see storeRow16). */
export function storeRow8(c: usize, v0: v128, v1: v128, r: usize, act: i32, nc: i32): void {
  if (nc >= 8) {
    if (r != 0) {
      v0 = f32x4.add(v0, v128.load(r));
      v1 = f32x4.add(v1, v128.load(r, 16));
    }
    v128.store(c, applyAct(v0, act));
    v128.store(c, applyAct(v1, act), 16);
    return;
  }
  storeRowTail(c, v0, r, act, nc);
  if (nc > 4) storeRowTail(c + 16, v1, r != 0 ? r + 16 : 0, act, nc - 4);
}

/** First min(nc, 4) lanes (nc >= 1) of act(v + r). Reads at most 16 bytes at r. */
function storeRowTail(c: usize, v: v128, r: usize, act: i32, nc: i32): void {
  if (r != 0) v = f32x4.add(v, v128.load(r));
  storeLanes(c, applyAct(v, act), nc);
}
