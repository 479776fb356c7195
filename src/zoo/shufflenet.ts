import { ShapeError } from '../errors.js';
import type { Graph } from '../graph/ir.js';
import { GraphBuilder } from './builder.js';
import { checkKnown, checkOneOf, checkRange, commonOptions, COMMON_OPTION_SPECS, type OptionSpec, type ZooOptions } from './common.js';

// ------------------------------------------------------------------------------------ ShuffleNet v1

/** ShuffleNet v1 Table 1 output channels of stages 2, 3, 4 at 1x, per group count. */
export const SHUFFLENET_V1_CHANNELS: Record<number, [number, number, number]> = {
  1: [144, 288, 576],
  2: [200, 400, 800],
  3: [240, 480, 960],
  4: [272, 544, 1088],
  8: [384, 768, 1536],
};

/**
 * Channel counts of ShuffleNet v1 at scale s with g groups.
 * - Stage outputs: round(c * s / (4g)) * 4g (at least 4g), so the bottleneck (out / 4) and the branch
 *   output are divisible by g. This reproduces Table 1 at 1x and the megvii ShuffleNet-Series configs
 *   at 0.5x / 2x (e.g. g=3 0.5x: 120/240/480, g=8 0.5x: 192/384/768).
 * - Stem: round(24 * s / g) * g (at least g), because the first stride-2 unit's branch produces
 *   out - stem channels with a grouped 1x1 conv (g=8 0.5x: 12 -> 16, as megvii does).
 */
export function shufflenetV1Channels(groups: number, scale: number): { stem: number; stages: [number, number, number] } {
  const base = SHUFFLENET_V1_CHANNELS[groups];
  const q = 4 * groups;
  const stages = base.map((c) => Math.max(q, Math.round((c * scale) / q) * q)) as [number, number, number];
  const stem = Math.max(groups, Math.round((24 * scale) / groups) * groups);
  return { stem, stages };
}

export interface ShuffleNetV1Options extends ZooOptions {
  /** Group count of the pointwise group convolutions: 1, 2, 3, 4 or 8 (default 3). */
  groups?: number;
  /** Alias of width (the paper's "scale factor s"). */
  scale?: number;
}

/**
 * ShuffleNet v1 (Zhang et al. 2017), paper Table 1: stem 3x3 s2 conv + BN + ReLU, 3x3 s2 max pool;
 * stages 2-4 with 4 / 8 / 4 units (the first one stride 2); GAP; FC.
 * Unit: 1x1 group conv (not grouped in the very first unit) to out / 4 + BN + ReLU, channel shuffle,
 * 3x3 dw (stride) + BN, 1x1 group conv + BN; stride 1: ReLU(x + branch);
 * stride 2: ReLU(concat(3x3 s2 avg pool(x), branch)) with a branch of out - in channels.
 */
export function shufflenetV1(opts: ShuffleNetV1Options = {}): Graph {
  const M = 'shufflenet_v1';
  checkKnown(M, opts, ['width', 'scale', 'resolution', 'classes', 'seed', 'batch', 'groups']);
  if (opts.width !== undefined && opts.scale !== undefined && opts.width !== opts.scale) {
    throw new ShapeError(`${M}: options 'width' (${opts.width}) and 'scale' (${opts.scale}) disagree; give one`);
  }
  const scale = checkRange(M, opts.scale !== undefined ? 'scale' : 'width', opts.scale ?? opts.width ?? 1, 0.25, 2.0);
  const groups = checkOneOf(M, 'groups', opts.groups ?? 3, [1, 2, 3, 4, 8]);
  const { resolution, classes, seed, batch } = commonOptions(M, opts, { min: 64, max: 448, def: 224 });
  const { stem, stages } = shufflenetV1Channels(groups, scale);
  const b = new GraphBuilder(`${M}_${scale}x_g${groups}_${resolution}`, seed);
  let x = b.input('input', [batch, resolution, resolution, 3]);
  x = b.convBn(x, 'conv1', { cout: stem, k: 3, s: 2, act: 'relu' });
  x = b.maxpool(x, 'maxpool', 3, 2);
  const repeats = [4, 8, 4];
  stages.forEach((out, si) => {
    for (let u = 0; u < repeats[si]; u++) {
      const p = `stage${si + 2}/unit${u + 1}`;
      const s = u === 0 ? 2 : 1;
      const cin = b.channels(x);
      const mid = out / 4;
      const g1 = si === 0 && u === 0 ? 1 : groups;
      let y = b.convBn(x, `${p}/gconv1`, { cout: mid, groups: g1, act: 'relu' });
      if (groups > 1) y = b.shuffle(y, groups, `${p}/shuffle`);
      y = b.dwBn(y, `${p}/dw`, { k: 3, s });
      // Residual branch ends linear; gain < 1 keeps the sum of 3 + 7 + 3 residual units from growing.
      y = b.convBn(y, `${p}/gconv2`, { cout: s === 2 ? out - cin : out, groups, gain: s === 2 ? Math.SQRT2 : 0.5 });
      if (s === 1) {
        y = b.add(x, y, `${p}/add`);
      } else {
        const short = b.avgpool(x, `${p}/avgpool`, 3, 2);
        y = b.concat([short, y], `${p}/concat`);
      }
      x = b.act(y, `${p}/relu`, 'relu');
    }
  });
  let y = b.gap(x, 'pool');
  y = b.fc(y, 'logits', classes);
  y = b.softmax(y, 'softmax');
  return b.build([y]);
}

export const SHUFFLENET_V1_OPTIONS: Record<string, OptionSpec> = {
  width: { type: 'number', default: 1, min: 0.25, max: 2, description: 'scale factor s (alias: scale)' },
  groups: { type: 'enum', default: 3, values: [1, 2, 3, 4, 8], description: 'groups of the pointwise convs' },
  resolution: { type: 'integer', default: 224, min: 64, max: 448, description: 'input size' },
  ...COMMON_OPTION_SPECS,
};

// ------------------------------------------------------------------------------------ ShuffleNet v2

/** ShuffleNet v2 Table 5: stage 2/3/4 outputs and conv5 channels per width. */
export const SHUFFLENET_V2_CHANNELS: Record<string, [number, number, number, number]> = {
  '0.5': [48, 96, 192, 1024],
  '1': [116, 232, 464, 1024],
  '1.5': [176, 352, 704, 1024],
  '2': [244, 488, 976, 2048],
};

export interface ShuffleNetV2Options extends ZooOptions {}

/**
 * ShuffleNet v2 (Ma et al. 2018), paper Table 5 / Fig. 3(c,d): stem 3x3 s2 conv 24 + BN + ReLU, 3x3 s2 max
 * pool; stages 2-4 with 4 / 8 / 4 units; conv5 1x1 + BN + ReLU; GAP; FC.
 * Stride-1 unit: Split in halves; right half: 1x1 + BN + ReLU, 3x3 dw + BN, 1x1 + BN + ReLU; Concat; shuffle(2).
 * Stride-2 unit (megvii ShuffleNet-Series layout): left: 3x3 dw s2 + BN, 1x1 in -> in + BN + ReLU; right:
 * 1x1 in -> out / 2 + BN + ReLU, 3x3 dw s2 + BN, 1x1 -> out - in + BN + ReLU; Concat; shuffle(2). For stages 3
 * and 4 (in = out / 2) this is the symmetric torchvision unit; only stage 2 (in = 24) differs, and only this
 * layout reproduces the published 146M / 591M (torchvision's symmetric stage 2 gives 144.9M / 583.3M).
 */
export function shufflenetV2(opts: ShuffleNetV2Options = {}): Graph {
  const M = 'shufflenet_v2';
  checkKnown(M, opts, ['width', 'resolution', 'classes', 'seed', 'batch']);
  const width = checkOneOf(M, 'width', opts.width ?? 1, [0.5, 1, 1.5, 2]);
  const { resolution, classes, seed, batch } = commonOptions(M, opts, { min: 64, max: 448, def: 224 });
  const [c2, c3, c4, c5] = SHUFFLENET_V2_CHANNELS[String(width)];
  const b = new GraphBuilder(`${M}_${width}x_${resolution}`, seed);
  let x = b.input('input', [batch, resolution, resolution, 3]);
  x = b.convBn(x, 'conv1', { cout: 24, k: 3, s: 2, act: 'relu' });
  x = b.maxpool(x, 'maxpool', 3, 2);
  const repeats = [4, 8, 4];
  [c2, c3, c4].forEach((out, si) => {
    const half = out / 2;
    for (let u = 0; u < repeats[si]; u++) {
      const p = `stage${si + 2}/unit${u + 1}`;
      let left: string;
      let right: string;
      const cin = b.channels(x);
      if (u === 0) {
        left = b.dwBn(x, `${p}/left/dw`, { k: 3, s: 2 });
        left = b.convBn(left, `${p}/left/pw`, { cout: cin, act: 'relu' });
        right = x;
      } else {
        [left, right] = b.split(x, [half, cin - half], `${p}/split`);
      }
      right = b.convBn(right, `${p}/right/pw1`, { cout: half, act: 'relu' });
      right = b.dwBn(right, `${p}/right/dw`, { k: 3, s: u === 0 ? 2 : 1 });
      right = b.convBn(right, `${p}/right/pw2`, { cout: u === 0 ? out - cin : half, act: 'relu' });
      const y = b.concat([left, right], `${p}/concat`);
      x = b.shuffle(y, 2, `${p}/shuffle`);
    }
  });
  x = b.convBn(x, 'conv5', { cout: c5, act: 'relu' });
  let y = b.gap(x, 'pool');
  y = b.fc(y, 'logits', classes);
  y = b.softmax(y, 'softmax');
  return b.build([y]);
}

export const SHUFFLENET_V2_OPTIONS: Record<string, OptionSpec> = {
  width: { type: 'enum', default: 1, values: [0.5, 1, 1.5, 2], description: 'width (0.5x, 1x, 1.5x, 2x)' },
  resolution: { type: 'integer', default: 224, min: 64, max: 448, description: 'input size' },
  ...COMMON_OPTION_SPECS,
};
