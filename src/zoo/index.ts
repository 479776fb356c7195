import { SepconvError } from '../errors.js';
import type { Graph } from '../graph/ir.js';
import type { OptionSpec } from './common.js';
import { mobilenetV1, mobilenetV2, mobilenetV3Large, mobilenetV3Small, MOBILENET_V1_OPTIONS, MOBILENET_V2_OPTIONS, MOBILENET_V3_OPTIONS } from './mobilenet.js';
import { shufflenetV1, shufflenetV2, SHUFFLENET_V1_OPTIONS, SHUFFLENET_V2_OPTIONS } from './shufflenet.js';
import { mobilenetSeg, MOBILENET_SEG_OPTIONS } from './seg.js';

export { GraphBuilder, mulberry32 } from './builder.js';
export type { ConvOptions, DwOptions, DeconvOptions, ConvBnOptions, PadSpec } from './builder.js';
export { makeDivisible } from './common.js';
export type { ZooOptions, OptionSpec } from './common.js';
export { mobilenetV1, mobilenetV2, mobilenetV3Large, mobilenetV3Small } from './mobilenet.js';
export type { MobileNetV1Options, MobileNetV2Options, MobileNetV3Options } from './mobilenet.js';
export { shufflenetV1, shufflenetV2, shufflenetV1Channels } from './shufflenet.js';
export type { ShuffleNetV1Options, ShuffleNetV2Options } from './shufflenet.js';
export { mobilenetSeg } from './seg.js';
export type { MobileNetSegOptions } from './seg.js';

export interface ZooEntry {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  build(opts?: any): Graph;
  description: string;
  options: Record<string, OptionSpec>;
}

export const ZOO: Record<string, ZooEntry> = {
  mobilenet_v1: { build: mobilenetV1, description: 'MobileNetV1 (Keras MobileNet): ReLU6, int(c * alpha) channels, GAP + FC head', options: MOBILENET_V1_OPTIONS },
  mobilenet_v2: { build: mobilenetV2, description: 'MobileNetV2 (Keras / TF-slim): inverted residuals, linear bottlenecks, ReLU6', options: MOBILENET_V2_OPTIONS },
  mobilenet_v3_large: { build: mobilenetV3Large, description: 'MobileNetV3-Large (Keras): SE, hard-swish, 5x5 depthwise', options: MOBILENET_V3_OPTIONS },
  mobilenet_v3_small: { build: mobilenetV3Small, description: 'MobileNetV3-Small (Keras): SE, hard-swish, 5x5 depthwise', options: MOBILENET_V3_OPTIONS },
  shufflenet_v1: { build: shufflenetV1, description: 'ShuffleNet v1: pointwise group convs + channel shuffle (paper Table 1)', options: SHUFFLENET_V1_OPTIONS },
  shufflenet_v2: { build: shufflenetV2, description: 'ShuffleNet v2: channel split + shuffle (paper Table 5)', options: SHUFFLENET_V2_OPTIONS },
  mobilenet_seg: { build: mobilenetSeg, description: 'MobileNet encoder + 5 transposed-conv decoder blocks with skips and CReLU, per-pixel logits', options: MOBILENET_SEG_OPTIONS },
};

/** Builds a zoo model by name; unknown names throw a SepconvError listing the known ones. */
export function buildZooModel(name: string, opts: Record<string, unknown> = {}): Graph {
  const e = Object.prototype.hasOwnProperty.call(ZOO, name) ? ZOO[name] : undefined;
  if (!e) throw new SepconvError(`unknown zoo model '${name}'; known models: ${Object.keys(ZOO).join(', ')}`, 'E_UNKNOWN_MODEL');
  return e.build(opts);
}
