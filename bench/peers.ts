/**
 * npm run bench -- peers [--time MS] [--filter REGEX] [--variant simd|relaxed|both] [--seed N]
 *                        [--no-tfjs] [--no-ort] [--threshold REL]
 *
 * sepconv against TensorFlow.js (wasm backend, XNNPACK) and ONNX Runtime Web (wasm), in the same
 * process on the same inputs, single thread, SIMD on, batch 1:
 *   - real TF.js models (trained weights): MediaPipe selfie, PoseNet MobileNetV1 0.75, nsfwjs
 *     MobileNetV2 1.4 (graph model, UMD packaging) and nsfwjs MobileNetV2 1.0 (layers model).
 *     tfjs runs them through tfjs-converter / tfjs-layers from the very files sepconv reads
 *     (`readTfjsModelFiles` + `tf.io.fromMemory`). ONNX Runtime has no copy of these models: it runs
 *     sepconv's ONNX export (`exportOnnx`) of the graph sepconv imported, so its column there also
 *     depends on sepconv's importer.
 *   - zoo models at 224x224 (seeded random weights) exported to ONNX with `exportOnnx`: ONNX Runtime
 *     and sepconv both load the same ONNX bytes (NCHW in and out on both sides). No tfjs copy exists.
 * Input: mulberry32(--seed) uniform in [0, 1), NHWC (transposed once to NCHW for ONNX sessions).
 * Each model: load in every runtime, check the outputs agree (max|diff| / max|ref| over every output,
 * reference = the model's own runtime: tfjs for TF.js models, ORT for ONNX; zoo models add the logits
 * before softmax, selfie its logits before the sigmoid, whose mask saturates to ~1e-9 on noise input;
 * an output with max|ref| < 1e-6 is judged by max|diff| alone), flag more than --threshold, warm up
 * (>= 300 ms each), then time the contenders interleaved run by run (A, B, C, A, B, C, ... with the
 * starting contender rotated each round) until each has --time ms and >= 10 runs. Prints median /
 * p10 / p90 and peer / sepconv ratios (same run). A timed run includes building the input tensor and
 * reading every output back into JS memory. ORT uses graphOptimizationLevel 'all'. 'create ms' is
 * load + prepare; the first session of each runtime also pays its wasm compile.
 */
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-web';
import * as tf from '@tensorflow/tfjs-core';
import * as tfc from '@tensorflow/tfjs-converter';
import * as tfl from '@tensorflow/tfjs-layers';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Graph } from '../src/graph/ir.js';
import { graphStats } from '../src/graph/stats.js';
import { exportOnnx } from '../src/importers/onnx/index.js';
import { loadTfjsModel, readTfjsModelFiles } from '../src/importers/tfjs/index.js';
import { detectFeatures, type WasmVariant } from '../src/kernels/loader.js';
import { Session } from '../src/runtime/index.js';
import { mulberry32 } from '../src/util/random.js';
import { buildZooModel } from '../src/zoo/index.js';

const { values: opts } = parseArgs({
  options: {
    time: { type: 'string', default: '3000' },
    filter: { type: 'string' },
    variant: { type: 'string', default: 'both' },
    seed: { type: 'string', default: '20240607' },
    threshold: { type: 'string', default: '1e-3' },
    'no-tfjs': { type: 'boolean', default: false },
    'no-ort': { type: 'boolean', default: false },
  },
});
const TIME = Number(opts.time);
const THRESHOLD = Number(opts.threshold);
const MIN_RUNS = 10;

// ---------- runtimes: single thread, SIMD, wasm files from node_modules (no network) ----------
const require = createRequire(import.meta.url);
const tfjsWasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
setWasmPaths(tfjsWasmDir);
setThreadsCount(1);
if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialize');
await tf.ready();
ort.env.wasm.numThreads = 1;
ort.env.wasm.simd = true;
ort.env.wasm.proxy = false;
ort.env.logLevel = 'error';

const variants: WasmVariant[] =
  opts.variant === 'both' ? (detectFeatures().relaxedSimd ? ['relaxed', 'simd'] : ['simd']) : [opts.variant as WasmVariant];
const versions = {
  tfjs: require('@tensorflow/tfjs-backend-wasm/package.json').version as string,
  ort: ort.env.versions.web,
};

// ---------- models ----------
interface ModelCase {
  name: string;
  /** 'tfjs': a TF.js model file (reference tfjs); 'zoo': a zoo graph exported to ONNX (reference ORT) */
  kind: 'tfjs' | 'zoo';
  source: string;
  /** outputs checked (and computed, by every runtime) besides the model's own: pre-activation logits */
  extra?: string[];
}
const MODELS: ModelCase[] = [
  { name: 'selfie 256 (TF.js graph, fp16)', kind: 'tfjs', source: 'test/fixtures/tfjs/selfie/selfie.json', extra: ['segment_add'] },
  { name: 'posenet MNv1 0.75 385 (TF.js graph)', kind: 'tfjs', source: 'test/fixtures/tfjs/posenet/posenet.json' },
  { name: 'nsfwjs MNv2 1.4 224 (TF.js graph, uint8)', kind: 'tfjs', source: 'test/fixtures/nsfwjs/mobilenet_v2_mid/model.min.js' },
  { name: 'nsfwjs MNv2 1.0 224 (TF.js layers, uint8)', kind: 'tfjs', source: 'test/fixtures/nsfwjs/mobilenet_v2/model.min.js' },
  { name: 'mobilenet_v1 224 (zoo -> ONNX)', kind: 'zoo', source: 'mobilenet_v1' },
  { name: 'mobilenet_v2 224 (zoo -> ONNX)', kind: 'zoo', source: 'mobilenet_v2' },
  { name: 'mobilenet_v3_large 224 (zoo -> ONNX)', kind: 'zoo', source: 'mobilenet_v3_large' },
  { name: 'mobilenet_v3_small 224 (zoo -> ONNX)', kind: 'zoo', source: 'mobilenet_v3_small' },
  { name: 'shufflenet_v2 224 (zoo -> ONNX)', kind: 'zoo', source: 'shufflenet_v2' },
];

// ---------- layouts ----------
interface Out {
  data: Float32Array;
  shape: number[];
}
function nhwcToNchw(x: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const y = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) y[(b * c + k) * h * w + i] = x[(b * h * w + i) * c + k];
  return y;
}
function nchwToNhwc(x: Float32Array, [n, c, h, w]: number[]): Float32Array {
  const y = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let k = 0; k < c; k++) for (let i = 0; i < h * w; i++) y[(b * h * w + i) * c + k] = x[(b * c + k) * h * w + i];
  return y;
}
/** An output in NHWC (the comparison layout), from a runtime's NCHW or NHWC output. */
const canon = (o: Out, layout: 'nchw' | 'nhwc'): Out =>
  layout === 'nchw' && o.shape.length === 4 ? { data: nchwToNhwc(o.data, o.shape), shape: [o.shape[0], o.shape[2], o.shape[3], o.shape[1]] } : o;

// ---------- contenders ----------
interface Contender {
  label: string;
  /** one timed inference: input tensor in, every output read back into JS memory */
  run(): Promise<unknown>;
  /** outputs of one inference, NHWC, by name */
  outputs(): Promise<Record<string, Out>>;
  release(): Promise<void> | void;
  createMs: number;
}

async function sepconvContender(variant: WasmVariant, source: string | Uint8Array, input: Out, outputs?: string[]): Promise<Contender> {
  const t0 = performance.now();
  const s = await Session.create(source, { variant, ...(outputs ? { outputs } : {}) });
  const createMs = performance.now() - t0;
  if (s.variant !== variant) throw new Error(`sepconv: asked for the ${variant} build, got ${s.variant}`);
  const name = s.inputNames[0];
  const layout = s.layout;
  const feed = { [name]: layout === 'nchw' ? { data: nhwcToNchw(input.data, input.shape), shape: s.inputs[name] } : input };
  return {
    label: `sepconv-${variant}`,
    createMs,
    run: () => s.run(feed),
    async outputs() {
      const r = await s.run(feed);
      return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, canon({ data: v.data, shape: [...v.shape] }, layout)]));
    },
    release: () => s.release(),
  };
}

async function ortContender(bytes: Uint8Array, input: Out): Promise<Contender> {
  const t0 = performance.now();
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 });
  const createMs = performance.now() - t0;
  const name = s.inputNames[0];
  const dims = [input.shape[0], input.shape[3], input.shape[1], input.shape[2]];
  const data = nhwcToNchw(input.data, input.shape);
  const once = async () => {
    const r = await s.run({ [name]: new ort.Tensor('float32', data, dims) });
    const out: Record<string, Out> = {};
    for (const k of s.outputNames) out[k] = { data: (await r[k].getData()) as Float32Array, shape: [...r[k].dims] };
    return out;
  };
  return {
    label: 'ort-web',
    createMs,
    run: once,
    async outputs() {
      const r = await once();
      return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, canon(v, 'nchw')]));
    },
    release: () => s.release(),
  };
}

async function tfjsContender(path: string, inputName: string, input: Out, outputNames: string[]): Promise<Contender> {
  const t0 = performance.now();
  const { modelJson, weights } = await readTfjsModelFiles(path);
  const j = modelJson as unknown as Record<string, unknown> & { weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: j.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: j.weightsManifest.flatMap((g) => g.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    format: j.format as string | undefined,
    generatedBy: j.generatedBy as string | undefined,
    convertedBy: j.convertedBy as string | null | undefined,
    signature: j.signature as object | undefined,
    userDefinedMetadata: j.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'],
    modelInitializer: j.modelInitializer as object | undefined,
  };
  const isLayers = j.format === 'layers-model' || (!j.format && typeof j.modelTopology === 'object' && j.modelTopology !== null && 'model_config' in (j.modelTopology as object));
  let exec: (x: tf.Tensor) => tf.Tensor[];
  let dispose: () => void;
  if (isLayers) {
    const m = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    exec = (x) => {
      const y = m.predict(x);
      return Array.isArray(y) ? y : [y];
    };
    dispose = () => m.dispose();
  } else {
    const m = await tfc.loadGraphModel(tf.io.fromMemory(artifacts));
    exec = (x) => {
      const y = m.execute({ [inputName]: x }, outputNames);
      return Array.isArray(y) ? y : [y];
    };
    dispose = () => m.dispose();
  }
  const createMs = performance.now() - t0;
  const once = (): Record<string, Out> => {
    const x = tf.tensor(input.data, input.shape, 'float32');
    const ys = exec(x);
    const out: Record<string, Out> = {};
    ys.forEach((y, i) => {
      out[outputNames[i]] = { data: y.dataSync() as Float32Array, shape: [...y.shape] };
      y.dispose();
    });
    x.dispose();
    return out;
  };
  return { label: 'tfjs-wasm', createMs, run: async () => once(), outputs: async () => once(), release: dispose };
}

// ---------- agreement and timing ----------
/**
 * max over outputs of max|a - ref| / max|ref| (NaN or a shape mismatch: Infinity). An output whose
 * max|ref| is below 1e-6 (a saturated sigmoid mask on a noise input) is judged by max|a - ref| alone
 * and listed in `tiny`.
 */
function relDiff(a: Record<string, Out>, ref: Record<string, Out>, tiny: string[] = [], label = ''): number {
  let worst = 0;
  for (const [k, r] of Object.entries(ref)) {
    const o = a[k];
    if (!o || o.shape.join() !== r.shape.join()) return Infinity;
    let maxRef = 0;
    let maxDiff = 0;
    for (let i = 0; i < r.data.length; i++) {
      maxRef = Math.max(maxRef, Math.abs(r.data[i]));
      const d = Math.abs(o.data[i] - r.data[i]);
      maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
    }
    if (maxRef < 1e-6) tiny.push(`${label} ${k}: max|ref| ${maxRef.toExponential(1)}, max|diff| ${maxDiff.toExponential(1)}`);
    worst = Math.max(worst, maxRef < 1e-6 ? maxDiff : maxDiff / maxRef);
  }
  return worst;
}

const quantile = (sorted: number[], q: number): number => {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
};

/** Interleaved timing: one run of each contender per round, the starting one rotated every round. */
async function timeInterleaved(cs: Contender[], budgetMs: number): Promise<number[][]> {
  const samples = cs.map(() => [] as number[]);
  const spent = cs.map(() => 0);
  for (let round = 0; spent.some((s) => s < budgetMs) || samples.some((s) => s.length < MIN_RUNS); round++) {
    for (let j = 0; j < cs.length; j++) {
      const i = (round + j) % cs.length;
      const t0 = performance.now();
      await cs[i].run();
      const dt = performance.now() - t0;
      samples[i].push(dt);
      spent[i] += dt;
    }
  }
  return samples.map((s) => s.sort((a, b) => a - b));
}

// ---------- main ----------
const fmt = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '-');
console.log(
  `sepconv peers - ${new Date().toISOString()} - ${cpus()[0]?.model ?? '?'} - Node ${process.version} - ` +
    `tfjs-backend-wasm ${versions.tfjs} (threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'available, 1 set' : 'unavailable'}, SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}) - ` +
    `onnxruntime-web ${versions.ort} (numThreads 1) - sepconv builds ${variants.join(', ')} - batch 1, --time ${TIME} ms per contender, interleaved`,
);
interface Row {
  name: string;
  macs: number;
  med: Record<string, number>;
  agree: Record<string, number>;
}
const rows: Row[] = [];
for (const m of MODELS) {
  if (opts.filter && !new RegExp(opts.filter).test(m.name)) continue;
  const graph: Graph = m.kind === 'zoo' ? buildZooModel(m.source) : await loadTfjsModel(m.source);
  const macs = graphStats(graph).macs;
  const gin = graph.inputs[0];
  const rand = mulberry32(Number(opts.seed));
  const input: Out = { data: Float32Array.from({ length: gin.shape.reduce((a, b) => a * b, 1) }, () => rand()), shape: [...gin.shape] };
  // zoo models: the logits before softmax are compared too (the softmax of random weights is flat)
  const outputs = m.kind === 'zoo' ? (graph.nodes.some((n) => n.outputs.includes('logits')) ? ['logits', ...graph.outputs] : graph.outputs) : [...(m.extra ?? []), ...graph.outputs];
  const onnxBytes = m.kind === 'zoo' || !opts['no-ort'] ? exportOnnx({ ...graph, outputs }) : null;
  const cs: Contender[] = [];
  for (const v of variants) cs.push(await sepconvContender(v, m.kind === 'zoo' ? onnxBytes! : m.source, input, m.kind === 'zoo' ? undefined : outputs));
  if (m.kind === 'tfjs' && !opts['no-tfjs']) cs.push(await tfjsContender(m.source, gin.name, input, outputs));
  if (onnxBytes && !opts['no-ort']) cs.push(await ortContender(onnxBytes, input));

  // agreement: reference = tfjs for TF.js models, ORT for the ONNX ones (else the first sepconv build)
  const outs = new Map<string, Record<string, Out>>();
  for (const c of cs) outs.set(c.label, await c.outputs());
  const refLabel = m.kind === 'tfjs' ? (outs.has('tfjs-wasm') ? 'tfjs-wasm' : cs[0].label) : outs.has('ort-web') ? 'ort-web' : cs[0].label;
  const ref = outs.get(refLabel)!;
  const agree: Record<string, number> = {};
  const tiny: string[] = [];
  for (const c of cs) if (c.label !== refLabel) agree[c.label] = relDiff(outs.get(c.label)!, ref, tiny, c.label);

  // warm-up: at least 3 runs and 300 ms each, interleaved
  await timeInterleaved(cs, 300);
  const samples = await timeInterleaved(cs, TIME);

  const base = cs[0].label;
  const med: Record<string, number> = {};
  console.log(`\n== ${m.name}: ${(macs / 1e6).toFixed(0)} MMACs; agreement vs ${refLabel}: max|diff|/max|ref| over ${outputs.join(', ')}`);
  for (const t of tiny) console.log(`   (judged by max|diff| alone, ${t})`);
  console.log(`${'runtime'.padEnd(16)} ${'create ms'.padStart(9)} ${'runs'.padStart(5)} ${'median'.padStart(8)} ${'p10'.padStart(8)} ${'p90'.padStart(8)} ${'GMAC/s'.padStart(7)} ${`/${base}`.padStart(17)} ${'agreement'.padStart(10)}`);
  cs.forEach((c, i) => {
    const s = samples[i];
    const p50 = quantile(s, 0.5);
    med[c.label] = p50;
    const a = c.label === refLabel ? 'ref' : `${agree[c.label].toExponential(1)}${agree[c.label] > THRESHOLD ? ' DISAGREES' : ''}`;
    console.log(
      `${c.label.padEnd(16)} ${fmt(c.createMs, 0).padStart(9)} ${String(s.length).padStart(5)} ${fmt(p50, 2).padStart(8)} ${fmt(quantile(s, 0.1), 2).padStart(8)} ${fmt(quantile(s, 0.9), 2).padStart(8)} ${fmt(macs / p50 / 1e6).padStart(7)} ${fmt(p50 / quantile(samples[0], 0.5), 2).padStart(17)} ${a.padStart(10)}`,
    );
  });
  rows.push({ name: m.name, macs, med, agree });
  for (const c of cs) await c.release();
}

// ---------- summary ----------
const labels = [...variants.map((v) => `sepconv-${v}`), 'tfjs-wasm', 'ort-web'];
const base = `sepconv-${variants[0]}`;
console.log(`\nsummary: median ms; ratios = peer median / ${base} median in the same run (> 1: sepconv faster)`);
console.log(`| model | MMACs | ${labels.join(' | ')} | tfjs / sepconv | ORT / sepconv | agreement (max\\|Δ\\|/max\\|ref\\|) |`);
console.log(`|---|---:|${labels.map(() => '---:|').join('')}---:|---:|---|`);
for (const r of rows) {
  const cell = (l: string) => (l in r.med ? r.med[l].toFixed(1) : '—');
  const ratio = (l: string) => (l in r.med ? (r.med[l] / r.med[base]).toFixed(2) : '—');
  const ag = Object.entries(r.agree)
    .map(([k, v]) => `${k} ${v.toExponential(1)}${v > THRESHOLD ? ' **DISAGREES**' : ''}`)
    .join(', ');
  console.log(`| ${r.name} | ${(r.macs / 1e6).toFixed(0)} | ${labels.map(cell).join(' | ')} | ${ratio('tfjs-wasm')} | ${ratio('ort-web')} | ${ag} |`);
}
