/** Activation codes understood by every fused epilogue (mirrors assembly/common/simd.ts). */
export const Act = {
  linear: 0,
  relu: 1,
  relu6: 2,
  hswish: 3,
  hsigmoid: 4,
  sigmoid: 5,
  tanh: 6,
  elu: 7,
} as const;
export type ActName = keyof typeof Act;
export type ActCode = (typeof Act)[ActName];
export const ACT_NAMES = Object.keys(Act) as ActName[];
