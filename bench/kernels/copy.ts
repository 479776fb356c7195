import { Act } from '../../src/kernels/act.js';
import type { Kernels } from '../../src/kernels/loader.js';
import { channelShuffle, concatChannels, crelu } from '../../src/kernels/copy.js';
import { benchData as rand, type BenchCase, type CaseFactory } from './types.js';

const SV1 = 'ShuffleNet v1 g=3 1x';

// Pure data movement: flops 0, bytes = every float read + written, 4 bytes each.

/** ShuffleNet v1 channel shuffle after the first grouped 1x1 conv of a unit. */
function shuffleCase(k: Kernels, h: number, w: number, c: number, groups: number): BenchCase {
  const n = h * w * c;
  const x = k.arena.put(rand(n, 1));
  const y = k.arena.allocF32(n);
  return {
    kernel: 'f32-copy-shuffle-x4',
    model: SV1,
    shape: `shuffle ${h}x${w}x${c} g=${groups}`,
    flops: 0,
    bytes: 8 * n,
    run: () => channelShuffle(k, { pixels: h * w, groups, c, x, y }),
  };
}

/** ShuffleNet v1 stride-2 unit: concat(avgpool shortcut, branch) on the channel axis. */
function concatCase(k: Kernels, h: number, w: number, cs: number[]): BenchCase {
  const total = cs.reduce((s, c) => s + c, 0);
  const inputs = cs.map((c, i) => ({ x: k.arena.put(rand(h * w * c, 2 + i)), c }));
  const y = k.arena.allocF32(h * w * total);
  return {
    kernel: 'f32-copy-2d-x8',
    model: SV1,
    shape: `concat ${h}x${w}x(${cs.join('+')})`,
    flops: 0,
    bytes: 8 * h * w * total,
    run: () => concatChannels(k, { pixels: h * w, inputs, y }),
  };
}

/** CReLU stem (PVANet / face detectors on MobileNet-sized inputs): c -> 2c with relu fused. */
function creluCase(k: Kernels, h: number, w: number, c: number): BenchCase {
  const n = h * w * c;
  const x = k.arena.put(rand(n, 9));
  const y = k.arena.allocF32(2 * n);
  return {
    kernel: 'f32-copy-crelu-x4',
    model: 'CReLU stem',
    shape: `crelu ${h}x${w}x(${c}->${2 * c})`,
    flops: 2 * n, // one activation per output element
    bytes: 12 * n,
    run: () => crelu(k, { pixels: h * w, c, x, y, act: Act.relu }),
  };
}

export const cases: CaseFactory = (k) => [
  shuffleCase(k, 28, 28, 240, 3),
  shuffleCase(k, 14, 14, 480, 3),
  concatCase(k, 28, 28, [120, 120]),
  creluCase(k, 56, 56, 16),
];
