/**
 * npm run bench -- models [--variant simd|relaxed|both] [--time MS] [--filter REGEX]
 *
 * End-to-end latency of the zoo models at 224x224 (random weights, batch 1, single thread):
 * Session.create time, median / min / p75 run time, and GMAC/s (MACs as docs/counting.md counts them).
 * Peer figures (tfjs-wasm, onnxruntime-web) are in ../shared/perf-limits.md; they were measured on
 * another CPU, so compare them with care.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { graphStats } from '../src/graph/stats.js';
import { detectFeatures, type WasmVariant } from '../src/kernels/loader.js';
import { loadTfjsModel } from '../src/importers/tfjs/index.js';
import type { Graph } from '../src/graph/ir.js';
import { Session } from '../src/runtime/index.js';
import { buildZooModel } from '../src/zoo/index.js';

const { values: opts } = parseArgs({
  options: { variant: { type: 'string', default: 'both' }, time: { type: 'string', default: '2000' }, filter: { type: 'string' } },
});
/** Real TF.js graph models shipped as test fixtures (trained weights). */
const TFJS: Array<[string, string]> = [
  ['selfie (TF.js, 256x256)', 'test/fixtures/tfjs/selfie/selfie.json'],
  ['posenet MobileNetV1 0.75 (TF.js, 385x385)', 'test/fixtures/tfjs/posenet/posenet.json'],
];
const MODELS: Array<[string, Record<string, unknown>]> = [
  ['mobilenet_v1', {}],
  ['mobilenet_v2', {}],
  ['mobilenet_v3_large', {}],
  ['mobilenet_v3_small', {}],
  ['shufflenet_v1', { groups: 3 }],
  ['shufflenet_v2', {}],
  ['mobilenet_seg', { resolution: 256 }],
];
const variants: WasmVariant[] = opts.variant === 'both' ? (detectFeatures().relaxedSimd ? ['simd', 'relaxed'] : ['simd']) : [opts.variant as WasmVariant];
console.log(`sepconv model benchmarks - ${new Date().toISOString()} - ${cpus()[0]?.model ?? '?'} - Node ${process.version} - single thread, batch 1`);
console.log(`${'model'.padEnd(42)} ${'build'.padEnd(8)} ${'MMACs'.padStart(7)} ${'create ms'.padStart(10)} ${'median ms'.padStart(10)} ${'min'.padStart(7)} ${'p75'.padStart(7)} ${'GMAC/s'.padStart(7)}`);
const entries: Array<[string, () => Promise<Graph>]> = [
  ...MODELS.map(([name, o]): [string, () => Promise<Graph>] => [name, async () => buildZooModel(name, o)]),
  ...TFJS.map(([name, file]): [string, () => Promise<Graph>] => [name, () => loadTfjsModel(file)]),
];
for (const [name, load] of entries) {
  if (opts.filter && !new RegExp(opts.filter).test(name)) continue;
  const g = await load();
  const macs = graphStats(g).macs;
  const input = g.inputs[0];
  const feed = { [input.name]: { data: new Float32Array(input.shape.reduce((a, b) => a * b, 1)).fill(0.5), shape: input.shape } };
  for (const variant of variants) {
    const t0 = performance.now();
    const s = await Session.create(g, { variant });
    const createMs = performance.now() - t0;
    const bench = new Bench({ time: Number(opts.time), warmupTime: 300, iterations: 10 });
    bench.add(name, async () => {
      await s.run(feed);
    });
    await bench.run();
    const r = bench.tasks[0].result;
    if (r.state !== 'completed') throw new Error(`${name}: ${r.state}`);
    const l = r.latency;
    console.log(
      `${name.padEnd(42)} ${variant.padEnd(8)} ${(macs / 1e6).toFixed(0).padStart(7)} ${createMs.toFixed(0).padStart(10)} ${l.p50.toFixed(1).padStart(10)} ${l.min.toFixed(1).padStart(7)} ${l.p75.toFixed(1).padStart(7)} ${(macs / l.p50 / 1e6).toFixed(1).padStart(7)}`,
    );
    s.release();
  }
}
