import { describe, expect, it } from 'vitest';
import { Session } from '../../src/runtime/index.js';
import { buildZooModel } from '../../src/zoo/index.js';

const count = (s: Session, pred: (k: string, op: string) => boolean) => s.plan.steps.filter((st) => pred(st.kernel, st.op)).length;

describe('planner', () => {
  it('packs MobileNetV2 1.0/224 activations into a fraction of one-buffer-per-tensor', async () => {
    const s = await Session.create(buildZooModel('mobilenet_v2', {}));
    // the largest live pair is 112x112x96 (expand output) + 112x112x16 (block input): ~5.6 MB
    const { peakBytes, naiveBytes } = s.plan;
    console.log(`MobileNetV2 1.0/224 activations: peak ${(peakBytes / 2 ** 20).toFixed(2)} MiB vs naive ${(naiveBytes / 2 ** 20).toFixed(2)} MiB (${((100 * peakBytes) / naiveBytes).toFixed(1)}%)`);
    expect(peakBytes).toBeLessThan(naiveBytes / 4);
    expect(s.plan.peakBytes).toBeGreaterThanOrEqual(4 * 112 * 112 * (96 + 16));
  });

  it('ShuffleNet v1: stride-2 units write the pooled shortcut and the branch into the concat buffer (no copies)', async () => {
    const s = await Session.create(buildZooModel('shufflenet_v1', { width: 0.5, groups: 3, resolution: 96 }));
    expect(count(s, (k) => k === 'f32-copy-2d-x8')).toBe(0);
    expect(count(s, (_, op) => op === 'Concat')).toBe(0);
  });

  it('ShuffleNet v2: Split is a zero-copy view; only the pass-through half is copied into each concat', async () => {
    const g = buildZooModel('shufflenet_v2', { width: 0.5, resolution: 96 });
    const s = await Session.create(g);
    expect(count(s, (_, op) => op === 'Split')).toBe(0);
    const concats = g.nodes.filter((n) => n.op === 'Concat').length;
    const stride1Units = g.nodes.filter((n) => n.op === 'Split').length;
    // one copy per stride-1 unit (the untouched half); stride-2 units write both branches in place
    expect(count(s, (_, op) => op === 'Concat')).toBe(stride1Units);
    expect(concats).toBeGreaterThan(stride1Units);
  });

  it.each(['v2', 'v1'])('mobilenet_seg (%s backbone): decoder outputs go straight into their concat slice; skips shared with the encoder are copied', async (backbone) => {
    const g = buildZooModel('mobilenet_seg', { width: 0.35, resolution: 64, backbone });
    const s = await Session.create(g);
    const concats = g.nodes.filter((n) => n.op === 'Concat');
    expect(concats.length).toBe(5);
    // one copy per concat (the skip: a graph input or a tensor the encoder reads too), none for the upsampled half
    expect(count(s, (k, op) => op === 'Concat' && k === 'f32-copy-2d-x8')).toBe(concats.length);
    for (const c of concats) {
      const [up, skip] = c.inputs;
      expect(s.plan.tensors.get(up)!.alias?.of).toBe(c.outputs[0]);
      expect(s.plan.tensors.get(skip)!.alias).toBeUndefined();
    }
    expect(count(s, (k, op) => op === 'ConvTranspose2D' && k.startsWith('f32-deconv'))).toBe(5);
  });
});
