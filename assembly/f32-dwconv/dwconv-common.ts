// Helpers shared by the f32-dwconv kernels (not a kernel itself).

/** Channel blocks (of 4) processed per sweep over an output row: keeps a chunk's packed
 *  weights (16 * (1 + k*k) bytes per block) in L1 while the row's pixel groups walk them. */
export const CHUNK_BLOCKS: i32 = 16;

/** Lower clamp of the linear/relu/relu6 epilogue (codes 0..2): -inf for linear, else 0. */
// @ts-ignore: decorator
@inline export function actLo(act: i32): v128 {
  return f32x4.splat(act == 0 ? -Infinity : 0);
}

/** Upper clamp of the linear/relu/relu6 epilogue: 6 for relu6, else +inf. */
// @ts-ignore: decorator
@inline export function actHi(act: i32): v128 {
  return f32x4.splat(act == 2 ? 6 : Infinity);
}

/** First tap k with i0 + k*d >= 0. */
// @ts-ignore: decorator
@inline export function tapRange0(i0: i32, d: i32): i32 {
  return i0 >= 0 ? 0 : (d - 1 - i0) / d;
}

/** One past the last tap k < K with i0 + k*d <= n - 1 (never below k0: empty range). */
// @ts-ignore: decorator
@inline export function tapRange1(i0: i32, d: i32, n: i32, K: i32, k0: i32): i32 {
  let k1 = n - 1 - i0;
  k1 = k1 < 0 ? 0 : k1 / d + 1;
  if (k1 > K) k1 = K;
  if (k1 < k0) k1 = k0;
  return k1;
}
