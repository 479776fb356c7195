import { SepconvError, WasmSupportError } from '../errors.js';
import { kernelInfo } from './manifest.js';
import { Arena } from './memory.js';

/** The two wasm artifacts built from assembly/index.ts (see asconfig.json). */
export type WasmVariant = 'simd' | 'relaxed';

export interface WasmFeatures {
  simd: boolean;
  relaxedSimd: boolean;
}

// (module (func (result v128) i32.const 0 i8x16.splat))
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01,
  0x00, 0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b,
]);
// (module (func (result v128) (f32x4.relaxed_madd (splat 0) (splat 0) (splat 0))))
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01,
  0x00, 0x0a, 0x13, 0x01, 0x11, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x41, 0x00, 0xfd, 0x0f, 0x41, 0x00, 0xfd, 0x0f,
  0xfd, 0x85, 0x02, 0x0b,
]);

/** What this engine's WebAssembly supports (fixed-width SIMD, relaxed SIMD). */
export function detectFeatures(): WasmFeatures {
  if (typeof WebAssembly !== 'object') return { simd: false, relaxedSimd: false };
  return { simd: WebAssembly.validate(SIMD_PROBE), relaxedSimd: WebAssembly.validate(RELAXED_PROBE) };
}

export const MIN_RUNTIMES =
  'Node.js 16.4+ (sepconv itself needs Node 20+), Chrome/Edge 91+, Firefox 89+, Safari 16.4+';

export interface LoadKernelsOptions {
  /** 'auto' (default) picks 'relaxed' when the engine validates relaxed SIMD, else 'simd'. */
  variant?: WasmVariant | 'auto';
  /** Override the wasm bytes (or where to read/fetch them from). */
  wasm?: BufferSource | URL | string;
  /** Initial memory in 64 KiB pages (default 16). */
  initialPages?: number;
}

/** One instantiated kernel library: its memory, arena and raw exports. */
export class Kernels {
  readonly variant: WasmVariant;
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
  /** Raw wasm exports: plain functions taking pointers and sizes. */
  readonly exports: Readonly<Record<string, (...args: number[]) => number | void>>;

  constructor(variant: WasmVariant, memory: WebAssembly.Memory, instance: WebAssembly.Instance) {
    this.variant = variant;
    this.memory = memory;
    this.arena = new Arena(memory);
    this.exports = instance.exports as unknown as Record<string, (...args: number[]) => number | void>;
  }

  private readonly fns = new Map<string, (...args: number[]) => number | void>();

  /** The export implementing manifest kernel `name` (e.g. 'f32-gemm-2x16'). */
  fn(name: string): (...args: number[]) => number | void {
    let f = this.fns.get(name);
    if (f) return f;
    f = this.exports[kernelInfo(name).exportName];
    if (typeof f !== 'function') {
      throw new SepconvError(`kernel '${name}' is not exported by the ${this.variant} wasm build; rebuild with npm run build`);
    }
    this.fns.set(name, f);
    return f;
  }
}

const moduleCache = new Map<string, Promise<WebAssembly.Module>>();

function defaultUrl(variant: WasmVariant): URL {
  // src/kernels/loader.ts and dist/kernels/loader.js both sit two levels below the package root.
  return new URL(`../../build/sepconv-${variant}.wasm`, import.meta.url);
}

async function readBytes(source: URL | string): Promise<ArrayBuffer | Uint8Array> {
  const url = typeof source === 'string' && !/^[a-z]+:/i.test(source) ? null : new URL(source);
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (isNode && (url === null || url.protocol === 'file:')) {
    const { readFile } = await import('node:fs/promises');
    try {
      return await readFile(url ?? (source as string));
    } catch (e) {
      throw new SepconvError(
        `cannot read kernel wasm ${String(source)}: ${(e as Error).message}; run npm run build to produce build/*.wasm`,
        'E_WASM_MISSING',
      );
    }
  }
  const res = await fetch(url ?? source);
  if (!res.ok) {
    throw new SepconvError(`cannot fetch kernel wasm ${String(source)}: HTTP ${res.status}; serve build/*.wasm next to the library`, 'E_WASM_MISSING');
  }
  return res.arrayBuffer();
}

/**
 * Compiles (once per variant) and instantiates the kernel library over a fresh memory.
 * Throws WasmSupportError when the engine has no wasm SIMD.
 */
export async function loadKernels(options: LoadKernelsOptions = {}): Promise<Kernels> {
  const features = detectFeatures();
  if (!features.simd) {
    throw new WasmSupportError(
      `this JavaScript engine has no WebAssembly SIMD (128-bit); sepconv needs it: use ${MIN_RUNTIMES}`,
    );
  }
  const asked = options.variant ?? 'auto';
  let variant: WasmVariant;
  if (asked === 'auto') variant = features.relaxedSimd ? 'relaxed' : 'simd';
  else if (asked === 'relaxed' && !features.relaxedSimd) {
    throw new WasmSupportError(
      'the relaxed-SIMD kernel build was requested but this engine does not support relaxed SIMD ' +
        '(Chrome 114+; Node 20 needs --experimental-wasm-relaxed-simd); use variant "simd" or "auto"',
    );
  } else variant = asked;

  const key = options.wasm === undefined ? variant : '';
  let mod = key ? moduleCache.get(key) : undefined;
  if (!mod) {
    mod = (async () => {
      const src = options.wasm ?? defaultUrl(variant);
      const bytes = src instanceof URL || typeof src === 'string' ? await readBytes(src) : src;
      return WebAssembly.compile(bytes as BufferSource);
    })();
    if (key) {
      moduleCache.set(key, mod);
      mod.catch(() => moduleCache.delete(key));
    }
  }
  const memory = new WebAssembly.Memory({ initial: options.initialPages ?? 16 });
  const instance = await WebAssembly.instantiate(await mod, { env: { memory } });
  return new Kernels(variant, memory, instance);
}
