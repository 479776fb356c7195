// Source-coordinate rules shared by the resize kernels (no exports reach the wasm: only the
// kernel files are re-exported by index.ts). All coordinate math is f64 so indices match
// TF.js (which computes them in JS doubles) exactly.

/** Coordinate modes (src = source coordinate of output index o). */
export const COORD_LEGACY: i32 = 0; // TF default / ONNX 'asymmetric': src = o * in / out
export const COORD_ALIGN_CORNERS: i32 = 1; // src = o * (in - 1) / (out - 1) when out > 1, else legacy
export const COORD_HALF_PIXEL: i32 = 2; // src = (o + 0.5) * in / out - 0.5

/** Nearest rounding rules (mode >> 2 of the nearest kernel). */
export const ROUND_FLOOR: i32 = 0;
export const ROUND_CEIL: i32 = 1;
export const ROUND_PREFER_FLOOR: i32 = 2; // nearest integer, ties down
export const ROUND_PREFER_CEIL: i32 = 3; // nearest integer, ties up (JS Math.round for src >= 0)

/** in / out, or (in - 1) / (out - 1) for align_corners with out > 1 (hoisted out of pixel loops). */
// @ts-ignore: decorator
@inline export function coordRatio(inSize: i32, outSize: i32, coord: i32): f64 {
  if (coord == COORD_ALIGN_CORNERS && outSize > 1) return <f64>(inSize - 1) / <f64>(outSize - 1);
  return <f64>inSize / <f64>outSize;
}

/** Source coordinate of output index o (ratio from coordRatio; same operation order as TF.js). */
// @ts-ignore: decorator
@inline export function srcCoord(o: i32, ratio: f64, coord: i32): f64 {
  if (coord == COORD_HALF_PIXEL) return ratio * (<f64>o + 0.5) - 0.5;
  return ratio * <f64>o;
}

/** Nearest source index of output index o, clamped to [0, inSize - 1]. */
// @ts-ignore: decorator
@inline export function nearestIndex(o: i32, inSize: i32, ratio: f64, coord: i32, rounding: i32): i32 {
  const s = srcCoord(o, ratio, coord);
  const f = Math.floor(s);
  let r: f64;
  if (rounding == ROUND_FLOOR) r = f;
  else if (rounding == ROUND_CEIL) r = Math.ceil(s);
  else if (rounding == ROUND_PREFER_FLOOR) r = s - f > 0.5 ? f + 1 : f;
  else r = s - f >= 0.5 ? f + 1 : f;
  let i = <i32>r;
  if (i > inSize - 1) i = inSize - 1;
  if (i < 0) i = 0;
  return i;
}
