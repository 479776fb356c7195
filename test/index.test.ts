import { describe, expect, it } from 'vitest';
import * as sepconv from '../src/index.js';

describe('public entry', () => {
  it('runs the README example', async () => {
    const { loadKernels, Act, ops } = sepconv;
    const k = await loadKernels();
    const x = k.arena.put(new Float32Array([-1, 2, 7]));
    ops.vunary(k, { rows: 1, cols: 3, x, y: x, act: Act.relu6 });
    expect(Array.from(k.arena.read(x, 3))).toEqual([0, 2, 6]);
  });

  it('exposes a wrapper and a reference for every kernel family in the manifest', () => {
    const families = new Set(sepconv.KERNELS.map((k) => k.op));
    expect(families).toEqual(new Set(['gemm', 'gemv', 'dwconv', 'conv', 'deconv', 'pool', 'vbinary', 'vunary', 'copy', 'resize', 'softmax', 'peak']));
    for (const k of sepconv.KERNELS) {
      const fn = k.reference.split('#')[1];
      expect(typeof (sepconv.reference as Record<string, unknown>)[fn], `${k.name}: reference ${fn} exported`).toBe('function');
    }
    expect(Object.keys(sepconv.ops).length).toBeGreaterThan(30);
  });

  it('error classes are SepconvError subclasses with codes', () => {
    const e = new sepconv.ShapeError('x');
    expect(e).toBeInstanceOf(sepconv.SepconvError);
    expect(e.name).toBe('ShapeError');
    expect(e.code).toBe('E_SHAPE');
  });
});

describe('README: Session example', () => {
  it('runs as written (file from `sepconv export`, an intermediate output)', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { Session, buildZooModel, writeSepconv } = sepconv;
    const file = join(mkdtempSync(join(tmpdir(), 'sepconv-readme-')), 'mobilenet_v2.sepconv');
    writeFileSync(file, writeSepconv(buildZooModel('mobilenet_v2')));
    const s = await Session.create(file);
    expect(s.inputNames).toEqual(['input']);
    expect(s.inputs).toEqual({ input: [1, 224, 224, 3] });
    const out = await s.run({ input: { data: new Float32Array(224 * 224 * 3), shape: [1, 224, 224, 3] } });
    expect(out.softmax.shape).toEqual([1, 1000]);
    s.release();
    const features = await Session.create(buildZooModel('mobilenet_v2'), { outputs: ['block_16/project/bn'] });
    expect(features.outputs['block_16/project/bn']).toEqual([1, 7, 7, 320]);
  });
});
