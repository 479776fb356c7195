import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { KERNELS } from '../../src/kernels/manifest.js';

// Runs the built CLI (npm test builds dist/ first) as a user would.
const bin = 'bin/sepconv.js';

describe('sepconv CLI', () => {
  it('kernels --json lists the manifest and the selected build', () => {
    const out = JSON.parse(execFileSync(process.execPath, [bin, 'kernels', '--json'], { encoding: 'utf8' }));
    expect(out.variant).toBe('simd'); // plain Node 20: no relaxed SIMD without the flag
    expect(out.kernels.map((k: { name: string }) => k.name)).toEqual(KERNELS.map((k) => k.name));
  });

  it('uses the relaxed build when Node has relaxed SIMD enabled', () => {
    const out = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', bin, 'kernels'], { encoding: 'utf8' });
    expect(out).toMatch(/using the 'relaxed' build/);
  });

  it('exits 1 with a one-line message on an unknown command', () => {
    const r = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('--version prints the package version', () => {
    const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
