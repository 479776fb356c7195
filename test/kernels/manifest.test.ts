import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNELS } from '../../src/kernels/manifest.js';
import { VARIANTS, kernelsFor } from '../helpers/kernels.js';

const NAME = /^f32-[a-z0-9]+-[a-z0-9]+(-[a-z0-9]+)?$/;

describe('kernel manifest', () => {
  it('names follow dtype-op-tile[-variant] and live in their dtype-op folder', () => {
    expect(KERNELS.length).toBeGreaterThan(0);
    for (const k of KERNELS) {
      expect(k.name, k.name).toMatch(NAME);
      expect(k.name.startsWith(`${k.folder}-`), k.name).toBe(true);
      expect(k.exportName).toBe(k.name.replace(/-/g, '_'));
      expect(existsSync(`assembly/${k.folder}/${k.name}.ts`), `assembly/${k.folder}/${k.name}.ts`).toBe(true);
    }
    expect(new Set(KERNELS.map((k) => k.name)).size).toBe(KERNELS.length);
  });

  it('every kernel names an existing TypeScript reference function', () => {
    for (const k of KERNELS) {
      const [file, fn] = k.reference.split('#');
      expect(existsSync(file), `${k.name}: ${file}`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${k.name}: ${k.reference}`).toMatch(new RegExp(`export function ${fn}\\b`));
    }
  });

  it.each(VARIANTS)('the %s build exports exactly the manifest kernels', async (variant) => {
    const k = await kernelsFor(variant);
    const exported = Object.keys(k.exports).filter((n) => typeof k.exports[n] === 'function').sort();
    expect(exported).toEqual(KERNELS.map((x) => x.exportName).sort());
  });
});
