import type { Graph } from '../graph/ir.js';
import type { ActName } from '../kernels/act.js';
import { GraphBuilder } from './builder.js';
import { checkKnown, checkOneOf, checkRange, commonOptions, COMMON_OPTION_SPECS, makeDivisible, type OptionSpec, type ZooOptions } from './common.js';

/** Encoder output plus the feature map at each output stride (2, 4, 8, 16, 32), for skip connections. */
export interface Backbone {
  out: string;
  features: Map<number, string>;
}

// ---------------------------------------------------------------------------------------------- V1

/** Keras MobileNet (v1): int(c * alpha) channels, ReLU6, every layer conv/dw + BN + ReLU6. */
export function mobilenetV1Body(b: GraphBuilder, x: string, alpha: number): Backbone {
  const features = new Map<number, string>();
  let stride = 2;
  x = b.convBn(x, 'conv1', { cout: Math.trunc(32 * alpha), k: 3, s: 2, act: 'relu6' });
  const blocks: [number, number][] = [
    [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
    [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
  ];
  blocks.forEach(([c, s], i) => {
    const id = i + 1;
    if (s === 2) {
      features.set(stride, x);
      stride *= 2;
    }
    x = b.dwBn(x, `conv_dw_${id}`, { k: 3, s, act: 'relu6' });
    x = b.convBn(x, `conv_pw_${id}`, { cout: Math.trunc(c * alpha), act: 'relu6' });
  });
  features.set(stride, x);
  return { out: x, features };
}

export interface MobileNetV1Options extends ZooOptions {}

export function mobilenetV1(opts: MobileNetV1Options = {}): Graph {
  const M = 'mobilenet_v1';
  checkKnown(M, opts, ['width', 'resolution', 'classes', 'seed', 'batch']);
  const alpha = checkRange(M, 'width', opts.width ?? 1, 0.25, 1.0);
  const { resolution, classes, seed, batch } = commonOptions(M, opts, { min: 128, max: 224, def: 224 });
  const b = new GraphBuilder(`${M}_${alpha}_${resolution}`, seed);
  const x = b.input('input', [batch, resolution, resolution, 3]);
  const { out } = mobilenetV1Body(b, x, alpha);
  let y = b.gap(out, 'pool');
  y = b.fc(y, 'logits', classes);
  y = b.softmax(y, 'softmax');
  return b.build([y]);
}

export const MOBILENET_V1_OPTIONS: Record<string, OptionSpec> = {
  width: { type: 'number', default: 1, min: 0.25, max: 1, description: 'width multiplier alpha' },
  resolution: { type: 'integer', default: 224, min: 128, max: 224, description: 'input size' },
  ...COMMON_OPTION_SPECS,
};

// ---------------------------------------------------------------------------------------------- V2

/**
 * Keras / TF-slim MobileNetV2: first conv make_divisible(32 * alpha, 8); inverted residual blocks
 * (expand 1x1 + BN + ReLU6 [not in block 0], dw 3x3 + BN + ReLU6, linear project 1x1 + BN, residual Add
 * when stride 1 and in == out). Ends after block 16 (the 1x1 'Conv_1' belongs to the classifier head).
 */
export function mobilenetV2Body(b: GraphBuilder, x: string, alpha: number, expansion = 6): Backbone {
  const features = new Map<number, string>();
  let stride = 2;
  x = b.convBn(x, 'conv1', { cout: makeDivisible(32 * alpha, 8), k: 3, s: 2, act: 'relu6' });
  // [filters, stride, expansion] per block (block ids 0..16).
  const blocks: [number, number, number][] = [
    [16, 1, 1],
    [24, 2, expansion], [24, 1, expansion],
    [32, 2, expansion], [32, 1, expansion], [32, 1, expansion],
    [64, 2, expansion], [64, 1, expansion], [64, 1, expansion], [64, 1, expansion],
    [96, 1, expansion], [96, 1, expansion], [96, 1, expansion],
    [160, 2, expansion], [160, 1, expansion], [160, 1, expansion],
    [320, 1, expansion],
  ];
  blocks.forEach(([filters, s, e], id) => {
    if (s === 2) {
      features.set(stride, x);
      stride *= 2;
    }
    const p = `block_${id}`;
    const cin = b.channels(x);
    const cout = makeDivisible(Math.trunc(filters * alpha), 8);
    let y = x;
    if (id > 0) y = b.convBn(y, `${p}/expand`, { cout: Math.round(cin * e), act: 'relu6' });
    y = b.dwBn(y, `${p}/dw`, { k: 3, s, act: 'relu6' });
    y = b.convBn(y, `${p}/project`, { cout });
    if (s === 1 && cin === cout) y = b.add(x, y, `${p}/add`);
    x = y;
  });
  features.set(stride, x);
  return { out: x, features };
}

export interface MobileNetV2Options extends ZooOptions {
  /** Expansion factor of blocks 1..16 (block 0 always uses 1); default 6. */
  expansion?: number;
}

export function mobilenetV2(opts: MobileNetV2Options = {}): Graph {
  const M = 'mobilenet_v2';
  checkKnown(M, opts, ['width', 'resolution', 'classes', 'seed', 'batch', 'expansion']);
  const alpha = checkRange(M, 'width', opts.width ?? 1, 0.35, 1.4);
  const expansion = checkRange(M, 'expansion', opts.expansion ?? 6, 1, 10);
  const { resolution, classes, seed, batch } = commonOptions(M, opts, { min: 96, max: 224, def: 224 });
  const b = new GraphBuilder(`${M}_${alpha}_${resolution}`, seed);
  const x = b.input('input', [batch, resolution, resolution, 3]);
  const { out } = mobilenetV2Body(b, x, alpha, expansion);
  const last = alpha > 1 ? makeDivisible(1280 * alpha, 8) : 1280;
  let y = b.convBn(out, 'conv_last', { cout: last, act: 'relu6' });
  y = b.gap(y, 'pool');
  y = b.fc(y, 'logits', classes);
  y = b.softmax(y, 'softmax');
  return b.build([y]);
}

export const MOBILENET_V2_OPTIONS: Record<string, OptionSpec> = {
  width: { type: 'number', default: 1, min: 0.35, max: 1.4, description: 'width multiplier alpha' },
  resolution: { type: 'integer', default: 224, min: 96, max: 224, description: 'input size' },
  expansion: { type: 'number', default: 6, min: 1, max: 10, description: 'expansion factor of blocks 1..16' },
  ...COMMON_OPTION_SPECS,
};

// ---------------------------------------------------------------------------------------------- V3

/** [expansion, filters, kernel, stride, se, activation] per block, as in keras-applications mobilenet_v3.py. */
type V3Block = [number, number, number, number, boolean, ActName];

const V3_LARGE: V3Block[] = [
  [1, 16, 3, 1, false, 'relu'],
  [4, 24, 3, 2, false, 'relu'],
  [3, 24, 3, 1, false, 'relu'],
  [3, 40, 5, 2, true, 'relu'],
  [3, 40, 5, 1, true, 'relu'],
  [3, 40, 5, 1, true, 'relu'],
  [6, 80, 3, 2, false, 'hswish'],
  [2.5, 80, 3, 1, false, 'hswish'],
  [2.3, 80, 3, 1, false, 'hswish'],
  [2.3, 80, 3, 1, false, 'hswish'],
  [6, 112, 3, 1, true, 'hswish'],
  [6, 112, 3, 1, true, 'hswish'],
  [6, 160, 5, 2, true, 'hswish'],
  [6, 160, 5, 1, true, 'hswish'],
  [6, 160, 5, 1, true, 'hswish'],
];

const V3_SMALL: V3Block[] = [
  [1, 16, 3, 2, true, 'relu'],
  [72 / 16, 24, 3, 2, false, 'relu'],
  [88 / 24, 24, 3, 1, false, 'relu'],
  [4, 40, 5, 2, true, 'hswish'],
  [6, 40, 5, 1, true, 'hswish'],
  [6, 40, 5, 1, true, 'hswish'],
  [3, 48, 5, 1, true, 'hswish'],
  [3, 48, 5, 1, true, 'hswish'],
  [6, 96, 5, 2, true, 'hswish'],
  [6, 96, 5, 1, true, 'hswish'],
  [6, 96, 5, 1, true, 'hswish'],
];

/**
 * Squeeze-and-excite as in Keras MobileNetV3: GAP -> 1x1 conv (bias) to depth(C / 4) -> ReLU -> 1x1 conv
 * (bias) back to C -> hard-sigmoid -> Mul. The excite bias starts around +1.5 so the random gate stays
 * near 0.75 instead of halving the signal at every block; the reduce bias starts in [0.1, 0.3] so its ReLU is not dead.
 */
function seBlock(b: GraphBuilder, x: string, p: string): string {
  const c = b.channels(x);
  let g = b.gap(x, `${p}/se/pool`);
  g = b.conv(g, `${p}/se/reduce`, { cout: makeDivisible(c * 0.25, 8), bias: true, gain: Math.SQRT2, biasRange: [0.1, 0.3] });
  g = b.act(g, `${p}/se/relu`, 'relu');
  g = b.conv(g, `${p}/se/expand`, { cout: c, bias: true, gain: 1, biasRange: [1, 2] });
  g = b.act(g, `${p}/se/hsigmoid`, 'hsigmoid');
  return b.mul(x, g, `${p}/se/mul`);
}

function mobilenetV3Body(b: GraphBuilder, x: string, table: V3Block[], alpha: number, dilated: boolean): Backbone {
  const features = new Map<number, string>();
  let stride = 2;
  x = b.convBn(x, 'conv1', { cout: 16, k: 3, s: 2, act: 'hswish' });
  let lastS2 = -1;
  table.forEach(([, , , s], i) => {
    if (s === 2) lastS2 = i;
  });
  table.forEach(([e, filters, k, s0, se, act], id) => {
    const p = `block_${id}`;
    const inDilated = dilated && id >= lastS2;
    const s = inDilated ? 1 : s0;
    const d = inDilated ? 2 : 1;
    if (s === 2) {
      features.set(stride, x);
      stride *= 2;
    }
    const cin = b.channels(x);
    const cout = makeDivisible(filters * alpha, 8);
    let y = x;
    if (id > 0) y = b.convBn(y, `${p}/expand`, { cout: makeDivisible(cin * e, 8), act });
    y = b.dwBn(y, `${p}/dw`, { k, s, d, act });
    if (se) y = seBlock(b, y, p);
    y = b.convBn(y, `${p}/project`, { cout });
    if (s === 1 && cin === cout) y = b.add(x, y, `${p}/add`);
    x = y;
  });
  features.set(stride, x);
  return { out: x, features };
}

export interface MobileNetV3Options extends ZooOptions {
  /** Keep stride 1 in the last stage (from its stride-2 block on) with dilation-2 depthwise convs: output stride 16. */
  dilated?: boolean;
}

function mobilenetV3(M: string, table: V3Block[], lastPoint: number, opts: MobileNetV3Options): Graph {
  checkKnown(M, opts, ['width', 'resolution', 'classes', 'seed', 'batch', 'dilated']);
  const alpha = checkRange(M, 'width', opts.width ?? 1, 0.35, 1.25);
  const dilated = checkOneOf(M, 'dilated', opts.dilated ?? false, [false, true]);
  const { resolution, classes, seed, batch } = commonOptions(M, opts, { min: 96, max: 256, def: 224 });
  const b = new GraphBuilder(`${M}_${alpha}_${resolution}${dilated ? '_dilated' : ''}`, seed);
  const x = b.input('input', [batch, resolution, resolution, 3]);
  const { out } = mobilenetV3Body(b, x, table, alpha, dilated);
  let y = b.convBn(out, 'conv_last', { cout: makeDivisible(b.channels(out) * 6, 8), act: 'hswish' });
  y = b.gap(y, 'pool');
  const point = alpha > 1 ? makeDivisible(lastPoint * alpha, 8) : lastPoint;
  y = b.conv(y, 'conv_head', { cout: point, bias: true, gain: Math.SQRT2 });
  y = b.act(y, 'conv_head/hswish', 'hswish');
  y = b.fc(y, 'logits', classes);
  y = b.softmax(y, 'softmax');
  return b.build([y]);
}

export const mobilenetV3Large = (opts: MobileNetV3Options = {}): Graph => mobilenetV3('mobilenet_v3_large', V3_LARGE, 1280, opts);
export const mobilenetV3Small = (opts: MobileNetV3Options = {}): Graph => mobilenetV3('mobilenet_v3_small', V3_SMALL, 1024, opts);

export const MOBILENET_V3_OPTIONS: Record<string, OptionSpec> = {
  width: { type: 'number', default: 1, min: 0.35, max: 1.25, description: 'width multiplier alpha' },
  resolution: { type: 'integer', default: 224, min: 96, max: 256, description: 'input size' },
  dilated: { type: 'boolean', default: false, description: 'last stage stride 1 + dilation 2 (output stride 16)' },
  ...COMMON_OPTION_SPECS,
};
