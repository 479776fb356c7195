// Shared SIMD helpers for every kernel. Everything here is @inline: no call overhead, and
// the `ASC_FEATURE_RELAXED_SIMD` branch is resolved at compile time, so the `simd` build
// gets mul+add and the `relaxed` build gets f32x4.relaxed_madd from the same source.

/** Activation codes shared by every fused epilogue (mirrors src/kernels/act.ts). */
export const ACT_LINEAR: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_RELU6: i32 = 2;
export const ACT_HSWISH: i32 = 3;
export const ACT_HSIGMOID: i32 = 4;
export const ACT_SIGMOID: i32 = 5;
export const ACT_TANH: i32 = 6;
export const ACT_ELU: i32 = 7;

/** a * b + c: fused (relaxed build) or mul+add (simd build). */
// @ts-ignore: decorator
@inline export function fmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** e^x per lane for x <= 88; x below -87.3 is clamped (result ~1e-38). Max rel. error ~2e-7. */
// @ts-ignore: decorator
@inline export function expx4(x: v128): v128 {
  x = f32x4.max(x, f32x4.splat(-87.33654));
  x = f32x4.min(x, f32x4.splat(88.3762626647949));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = fmadd(n, f32x4.splat(-0.693145751953125), x);
  r = fmadd(n, f32x4.splat(-1.428606765330187045e-6), r);
  // degree-6 Taylor polynomial of e^r on |r| <= ln2/2
  let p = f32x4.splat(1.3888888888888889e-3);
  p = fmadd(p, r, f32x4.splat(8.3333333333333333e-3));
  p = fmadd(p, r, f32x4.splat(4.1666666666666667e-2));
  p = fmadd(p, r, f32x4.splat(1.6666666666666667e-1));
  p = fmadd(p, r, f32x4.splat(0.5));
  p = fmadd(p, r, f32x4.splat(1.0));
  p = fmadd(p, r, f32x4.splat(1.0));
  const e = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, e);
}

/** 1 / (1 + e^-x), computed from e^-|x| so it never overflows. */
// @ts-ignore: decorator
@inline export function sigmoidx4(x: v128): v128 {
  const z = expx4(f32x4.neg(f32x4.abs(x)));
  const s = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), z));
  return v128.bitselect(s, f32x4.mul(z, s), f32x4.ge(x, f32x4.splat(0)));
}

/** Applies activation `act` (ACT_* code) to four lanes. */
// @ts-ignore: decorator
@inline export function applyAct(v: v128, act: i32): v128 {
  if (act == ACT_LINEAR) return v;
  if (act == ACT_RELU) return f32x4.max(v, f32x4.splat(0));
  if (act == ACT_RELU6) return f32x4.min(f32x4.max(v, f32x4.splat(0)), f32x4.splat(6));
  if (act == ACT_HSWISH) {
    const g = f32x4.min(f32x4.max(f32x4.add(v, f32x4.splat(3)), f32x4.splat(0)), f32x4.splat(6));
    return f32x4.mul(f32x4.mul(v, g), f32x4.splat(0.16666666666666666));
  }
  if (act == ACT_HSIGMOID) {
    const g = f32x4.min(f32x4.max(f32x4.add(v, f32x4.splat(3)), f32x4.splat(0)), f32x4.splat(6));
    return f32x4.mul(g, f32x4.splat(0.16666666666666666));
  }
  return transcendentalAct(v, act);
}

/**
 * sigmoid, tanh and elu: kept out of line so every fused epilogue that inlines applyAct does
 * not carry three copies of exp; the call is cheap next to the exp itself.
 * tanh(x) = 2 sigmoid(2x) - 1 (absolute error ~1e-7); elu(x) = x > 0 ? x : e^x - 1.
 */
export function transcendentalAct(v: v128, act: i32): v128 {
  if (act == ACT_SIGMOID) return sigmoidx4(v);
  if (act == ACT_TANH) {
    const s = sigmoidx4(f32x4.add(v, v));
    return f32x4.sub(f32x4.add(s, s), f32x4.splat(1.0));
  }
  const e = f32x4.sub(expx4(f32x4.min(v, f32x4.splat(0))), f32x4.splat(1.0));
  return v128.bitselect(v, e, f32x4.gt(v, f32x4.splat(0)));
}

/** Stores the first `count` (0..4) lanes of `v` at `p`; never writes past p + 4*count. */
// @ts-ignore: decorator
@inline export function storeLanes(p: usize, v: v128, count: i32): void {
  if (count >= 4) { v128.store(p, v); return; }
  if (count & 2) {
    v128.store64_lane(p, v, 0);
    if (count & 1) v128.store32_lane(p + 8, v, 2);
  } else if (count & 1) {
    v128.store32_lane(p, v, 0);
  }
}
