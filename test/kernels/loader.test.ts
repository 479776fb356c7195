import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BufferError, SepconvError, WasmSupportError } from '../../src/errors.js';
import { detectFeatures, loadKernels } from '../../src/kernels/loader.js';
import { ARENA_BASE, SPARE_BYTES } from '../../src/kernels/memory.js';

describe('kernel loader', () => {
  afterEach(() => vi.restoreAllMocks());

  it('detects SIMD and (with --experimental-wasm-relaxed-simd, as vitest runs) relaxed SIMD', () => {
    expect(detectFeatures()).toEqual({ simd: true, relaxedSimd: true });
  });

  it("'auto' picks the relaxed build when the engine supports it", async () => {
    expect((await loadKernels()).variant).toBe('relaxed');
    expect((await loadKernels({ variant: 'simd' })).variant).toBe('simd');
  });

  it('falls back to the simd build on an engine without relaxed SIMD (plain Node 20)', () => {
    const script =
      "const { loadKernels, detectFeatures } = await import('./src/kernels/loader.ts');" +
      'const k = await loadKernels();' +
      'let err = null; try { await loadKernels({ variant: "relaxed" }); } catch (e) { err = e.name + ": " + e.message; }' +
      'console.log(JSON.stringify({ f: detectFeatures(), v: k.variant, err }));';
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r.f).toEqual({ simd: true, relaxedSimd: false });
    expect(r.v).toBe('simd');
    expect(r.err).toMatch(/^WasmSupportError: .*relaxed SIMD.*--experimental-wasm-relaxed-simd/);
  });

  it('throws WasmSupportError naming the minimum runtimes when wasm SIMD is missing', async () => {
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    await expect(loadKernels()).rejects.toThrow(WasmSupportError);
    await expect(loadKernels()).rejects.toThrow(/Chrome\/Edge 91\+, Firefox 89\+, Safari 16\.4\+/);
  });

  it('reports a missing wasm file as a SepconvError telling to build', async () => {
    const err = await loadKernels({ variant: 'simd', wasm: '/nonexistent/sepconv-simd.wasm' }).catch((e) => e);
    expect(err).toBeInstanceOf(SepconvError);
    expect(String(err.message)).toMatch(/npm run build/);
  });
});

describe('Arena', () => {
  it('aligns allocations to 16 bytes and keeps 16 spare bytes after the top', async () => {
    const k = await loadKernels({ variant: 'simd', initialPages: 1 });
    const a = k.arena;
    expect(a.top).toBe(ARENA_BASE);
    const p1 = a.alloc(5);
    const p2 = a.alloc(12);
    expect(p1 % 16).toBe(0);
    expect(p2 % 16).toBe(0);
    expect(p2).toBeGreaterThanOrEqual(p1 + 5);
    const big = a.alloc(200_000); // forces memory.grow
    expect(a.byteLength).toBeGreaterThanOrEqual(big + 200_000 + SPARE_BYTES);
    const m = a.mark();
    a.alloc(64);
    a.release(m);
    expect(a.top).toBe(m);
    a.reset();
    expect(a.top).toBe(ARENA_BASE);
  });

  it('places allocAtEnd buffers exactly SPARE_BYTES before the end of memory', async () => {
    const k = await loadKernels({ variant: 'simd', initialPages: 1 });
    const p = k.arena.allocAtEnd(44);
    expect(p + 44 + SPARE_BYTES).toBe(k.arena.byteLength);
    expect(p % 4).toBe(0);
  });

  it('round-trips data and survives memory growth', async () => {
    const k = await loadKernels({ variant: 'simd', initialPages: 1 });
    const p = k.arena.put([1, 2, 3]);
    k.arena.alloc(1 << 20);
    expect(Array.from(k.arena.read(p, 3))).toEqual([1, 2, 3]);
  });

  it('rejects bad sizes, alignments and marks with BufferError', async () => {
    const k = await loadKernels({ variant: 'simd', initialPages: 1 });
    expect(() => k.arena.alloc(-1)).toThrow(BufferError);
    expect(() => k.arena.alloc(8, 3)).toThrow(/power of two/);
    expect(() => k.arena.release(5)).toThrow(/outside/);
    expect(() => k.arena.alloc(5 * 2 ** 30)).toThrow(/cannot grow/);
  });
});
