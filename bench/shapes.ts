/**
 * Layer shapes from the networks sepconv targets, at their usual ImageNet resolutions.
 * Benchmarks read these so kernel figures reflect real layers, not square toys.
 */

/** Pointwise (1x1) conv as GEMM: m = output pixels (H*W), k = input channels, n = output channels. */
export interface PointwiseShape {
  model: string;
  m: number;
  k: number;
  n: number;
  /** Groups (ShuffleNet): the layer is `groups` GEMMs of k/groups -> n/groups channels. */
  groups?: number;
}

/** Depthwise conv: input h x w x c, kernel k x k, stride s (TF SAME padding). */
export interface DepthwiseShape {
  model: string;
  h: number;
  w: number;
  c: number;
  k: 3 | 5;
  s: 1 | 2;
}

const V2 = 'MobileNetV2 1.0/224';
const V3L = 'MobileNetV3-Large 1.0/224';
const V3S = 'MobileNetV3-Small 1.0/224';
const SV1 = 'ShuffleNet v1 g=3 1x';

export const POINTWISE: PointwiseShape[] = [
  { model: V2, m: 12544, k: 32, n: 16 },
  { model: V2, m: 12544, k: 16, n: 96 },
  { model: V2, m: 3136, k: 96, n: 24 },
  { model: V2, m: 3136, k: 24, n: 144 },
  { model: V2, m: 3136, k: 144, n: 24 },
  { model: V2, m: 784, k: 144, n: 32 },
  { model: V2, m: 784, k: 32, n: 192 },
  { model: V2, m: 784, k: 192, n: 32 },
  { model: V2, m: 196, k: 192, n: 64 },
  { model: V2, m: 196, k: 64, n: 384 },
  { model: V2, m: 196, k: 384, n: 64 },
  { model: V2, m: 196, k: 384, n: 96 },
  { model: V2, m: 196, k: 96, n: 576 },
  { model: V2, m: 196, k: 576, n: 96 },
  { model: V2, m: 49, k: 576, n: 160 },
  { model: V2, m: 49, k: 160, n: 960 },
  { model: V2, m: 49, k: 960, n: 160 },
  { model: V2, m: 49, k: 960, n: 320 },
  { model: V2, m: 49, k: 320, n: 1280 },
  { model: V3L, m: 784, k: 40, n: 120 },
  { model: V3L, m: 784, k: 120, n: 40 },
  { model: V3L, m: 196, k: 80, n: 240 },
  { model: V3L, m: 196, k: 480, n: 112 },
  { model: V3L, m: 196, k: 112, n: 672 },
  { model: V3L, m: 49, k: 672, n: 160 },
  { model: V3L, m: 49, k: 160, n: 960 },
  { model: V3S, m: 784, k: 24, n: 88 },
  { model: V3S, m: 784, k: 88, n: 24 },
  { model: V3S, m: 196, k: 40, n: 240 },
  { model: V3S, m: 196, k: 240, n: 40 },
  { model: V3S, m: 196, k: 48, n: 144 },
  { model: V3S, m: 49, k: 96, n: 576 },
  { model: V3S, m: 49, k: 576, n: 96 },
  { model: SV1, m: 784, k: 240, n: 60, groups: 3 },
  { model: SV1, m: 784, k: 60, n: 240, groups: 3 },
  { model: SV1, m: 196, k: 480, n: 120, groups: 3 },
  { model: SV1, m: 196, k: 120, n: 480, groups: 3 },
  { model: SV1, m: 49, k: 960, n: 240, groups: 3 },
  { model: SV1, m: 49, k: 240, n: 960, groups: 3 },
];

/** The MobileNetV2 subset: the pointwise goal (>= 85% of the peak loop) is judged on these. */
export const POINTWISE_MBV2 = POINTWISE.filter((s) => s.model === V2);

export const DEPTHWISE: DepthwiseShape[] = [
  { model: V2, h: 112, w: 112, c: 32, k: 3, s: 1 },
  { model: V2, h: 112, w: 112, c: 96, k: 3, s: 2 },
  { model: V2, h: 56, w: 56, c: 144, k: 3, s: 1 },
  { model: V2, h: 56, w: 56, c: 144, k: 3, s: 2 },
  { model: V2, h: 28, w: 28, c: 192, k: 3, s: 1 },
  { model: V2, h: 28, w: 28, c: 192, k: 3, s: 2 },
  { model: V2, h: 14, w: 14, c: 384, k: 3, s: 1 },
  { model: V2, h: 14, w: 14, c: 576, k: 3, s: 1 },
  { model: V2, h: 14, w: 14, c: 576, k: 3, s: 2 },
  { model: V2, h: 7, w: 7, c: 960, k: 3, s: 1 },
  { model: V3L, h: 56, w: 56, c: 72, k: 5, s: 2 },
  { model: V3L, h: 28, w: 28, c: 120, k: 5, s: 1 },
  { model: V3L, h: 14, w: 14, c: 672, k: 5, s: 2 },
  { model: V3L, h: 7, w: 7, c: 960, k: 5, s: 1 },
  { model: V3S, h: 28, w: 28, c: 96, k: 5, s: 2 },
  { model: V3S, h: 14, w: 14, c: 240, k: 5, s: 1 },
  { model: V3S, h: 7, w: 7, c: 576, k: 5, s: 1 },
  { model: SV1, h: 28, w: 28, c: 60, k: 3, s: 1 },
  { model: SV1, h: 28, w: 28, c: 120, k: 3, s: 2 },
  { model: SV1, h: 14, w: 14, c: 120, k: 3, s: 1 },
];

/** TF SAME padding for one spatial dim: [before, after, out]. */
export { tfSamePadAxis as samePadding } from '../src/graph/padding.js';
