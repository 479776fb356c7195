import { access } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { Command } from 'commander';
import { SepconvError, ShapeError } from '../errors.js';
import type { Graph } from '../graph/ir.js';
import { sizeOf } from '../graph/ir.js';
import { measureGemmCeiling, type GemmCeiling } from '../kernels/ceiling.js';
import { detectFeatures, loadKernels, type WasmVariant } from '../kernels/loader.js';
import { Session, type Tensor } from '../runtime/session.js';
import { loadGraph } from '../runtime/source.js';
import { mulberry32, uniformArray } from '../util/random.js';
import { ZOO } from '../zoo/index.js';
import { parseInputShapes } from './convert.js';
import { loadModelArg, type ZooFlagValues } from './model-arg.js';
import { addZooFlags } from './zoo-flags.js';

// ---- shared by `profile` and `bench` -------------------------------------------------------

/** A count flag (--runs, --warmup, --threads, ...): a plain integer >= min, else a one-line usage error. */
export function parseCount(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!/^\s*\d+\s*$/.test(String(raw)) || !Number.isSafeInteger(v) || v < min) {
    throw new SepconvError(`${flag} must be an integer >= ${min}, got '${String(raw)}'`, 'E_USAGE');
  }
  return v;
}

/**
 * --variant simd|relaxed|auto. 'relaxed' on a Node without relaxed SIMD turns on V8's
 * --experimental-wasm-relaxed-simd (Node 20 has it behind that flag) before any relaxed module is
 * compiled; 'auto' takes what the engine offers as it is (what Session.create would pick).
 */
export function resolveVariant(raw: string | undefined): WasmVariant | 'auto' {
  const v = raw ?? 'auto';
  if (v !== 'simd' && v !== 'relaxed' && v !== 'auto') throw new SepconvError(`--variant must be simd, relaxed or auto, got '${v}'`, 'E_USAGE');
  if (v === 'relaxed' && !detectFeatures().relaxedSimd && typeof process !== 'undefined' && process.versions?.node) {
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // the loader reports the missing feature
    }
  }
  return v;
}

/**
 * A zoo name (built with the zoo flags) or a model file; `--input-shape` specs give shapes to
 * inputs with unknown dimensions ('name=1x224x224x3', or '1x224x224x3' for the first input).
 */
export async function loadModelForRun(model: string, flags: ZooFlagValues, inputShapeSpecs: string[]): Promise<{ graph: Graph; source: string }> {
  if (inputShapeSpecs.length === 0) {
    try {
      return await loadModelArg(model, flags);
    } catch (e) {
      const m = e instanceof ShapeError ? /input '([^']+)' has unknown dimensions (\[[^\]]*\])/.exec(e.message) : null;
      if (!m) throw e;
      const example = (JSON.parse(m[2]) as number[]).map((d, i) => (d >= 0 ? d : i === 0 ? 1 : 224)).join('x');
      throw new ShapeError(`${model}: input '${m[1]}' has unknown dimensions ${m[2]}; give its shape with --input-shape ${m[1]}=${example}`);
    }
  }
  if (Object.prototype.hasOwnProperty.call(ZOO, model)) {
    throw new SepconvError(`--input-shape does not apply to zoo models; use --resolution (and --width, ...) to size ${model}`, 'E_USAGE');
  }
  const shapes = parseInputShapes(inputShapeSpecs);
  try {
    await access(model);
  } catch {
    return loadModelArg(model, flags); // its message for a missing / unreadable model
  }
  const load = (inputShapes: Record<string, number[]>) => loadGraph(model, { inputShapes });
  if (!shapes.unnamed) return { graph: await load(shapes.named), source: model };
  // An unnamed shape is for the first input: learn its name from a first load, or from the
  // importer's message about its unknown dimensions.
  let first: string;
  try {
    const g = await load(shapes.named);
    first = g.inputs[0]?.name;
    if (!first) throw new ShapeError(`${model} has no inputs to give --input-shape to`);
    const have = g.inputs[0].shape;
    if (have.length === shapes.unnamed.length && have.every((d, i) => d === shapes.unnamed![i])) return { graph: g, source: model };
  } catch (e) {
    const m = e instanceof ShapeError ? /input '([^']+)' has unknown dimensions/.exec(e.message) : null;
    if (!m) throw e;
    first = m[1];
  }
  return { graph: await load({ ...shapes.named, [first]: shapes.unnamed }), source: model };
}

/** Every input filled with seeded uniform random values in [0, 1), in the session's layout. */
export function randomFeeds(s: Session, seed = 1): Record<string, Tensor> {
  const rand = mulberry32(seed);
  return Object.fromEntries(s.inputNames.map((name) => [name, { data: uniformArray(sizeOf(s.inputs[name]), rand, 0, 1), shape: [...s.inputs[name]] }]));
}

export const fmtMiB = (b: number): string => `${(b / 2 ** 20).toFixed(2)} MiB`;
const fmtShape = (s: readonly number[]): string => `[${s.join(', ')}]`;
const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));

// ---- sepconv profile ----------------------------------------------------------------------------

interface ProfileOpts extends ZooFlagValues {
  runs?: string;
  warmup?: string;
  variant?: string;
  inputShape: string[];
  ceiling: boolean;
  ceilingMs?: string;
  top?: string;
  json?: boolean;
}

/** `sepconv profile <model>`: per-layer times, GFLOP/s and the share of the machine's GEMM ceiling. */
export function profileCommand(): Command {
  const cmd = new Command('profile')
    .description("time every layer of a model: a table sorted by time (op, kernel, output shape, ms, % of total, GFLOP/s, % of this machine's GEMM ceiling measured in the same run), totals and peak activation memory; inputs are seeded random in [0,1)")
    .argument('<model>', `a zoo model (${Object.keys(ZOO).join(', ')}) or a model file (.sepconv, TF.js model.json / model.min.js, .onnx)`)
    .option('--runs <n>', 'profiled runs; each layer reports its median', '20')
    .option('--warmup <n>', 'untimed runs first (the wasm engine optimises hot kernels during the first runs)', '5')
    .option('--variant <build>', 'kernel build: simd, relaxed or auto (relaxed when the engine has relaxed SIMD)', 'auto')
    .option('--input-shape <shape>', 'shape for inputs with unknown dimensions: name=1x224x224x3 or 1x224x224x3 for the first input (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--ceiling-ms <ms>', 'time spent measuring the GEMM ceiling', '600')
    .option('--no-ceiling', 'skip the GEMM ceiling measurement (no % of ceiling column)')
    .option('--top <n>', 'print only the n slowest layers (totals still cover all)')
    .option('--json', 'print { model, variant, runs, ceiling, totalMs, sumMs, macs, gflops, pctCeiling, peakActivationBytes, nodes: [...] } as JSON');
  addZooFlags(cmd);
  cmd.addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  $ sepconv profile mobilenet_v2',
      '  $ sepconv profile mobilenet_v3_small --width 0.75 --resolution 160 --runs 50',
      '  $ sepconv profile test/fixtures/tfjs/selfie/selfie.json --top 10',
      '  $ sepconv profile model.json --input-shape input=1x224x224x3 --variant relaxed',
      '  $ sepconv profile shufflenet_v2 --json > profile.json',
      '',
      'Times are medians of --runs runs with one timestamp per layer; a layer that is a view',
      '(Flatten, Reshape, Split, a Concat written in place by its producers) has no kernel and 0 ms.',
      "GFLOP/s counts 2 FLOPs per multiply-add (MACs as 'sepconv info' counts them, after fusion).",
    ].join('\n'),
  );
  return cmd.action(async (model: string, opts: ProfileOpts) => {
    const runs = parseCount('--runs', opts.runs, 20, 1);
    const warmup = parseCount('--warmup', opts.warmup, 5, 0);
    const ceilingMs = parseCount('--ceiling-ms', opts.ceilingMs, 600, 1);
    const top = opts.top === undefined ? Infinity : parseCount('--top', opts.top, 0, 1);
    const variant = resolveVariant(opts.variant);
    const { graph, source } = await loadModelForRun(model, opts, opts.inputShape);
    const s = await Session.create(graph, { variant });
    let p;
    try {
      p = await s.profile(randomFeeds(s), { runs, warmup });
    } finally {
      s.release();
    }
    let ceiling: GemmCeiling | null = null;
    if (opts.ceiling) ceiling = measureGemmCeiling(await loadKernels({ variant: p.variant }), { timeMs: ceilingMs });
    const pctCeil = (gflops: number): number | null => (ceiling ? (100 * gflops) / ceiling.gflops : null);
    const nodes = p.nodes.map((n) => ({ ...n, pctTotal: (100 * n.ms) / p.totalMs, pctCeiling: pctCeil(n.gflops) }));
    const result = {
      model: graph.name,
      source,
      variant: p.variant,
      runs,
      warmup,
      inputs: Object.fromEntries(graph.inputs.map((i) => [i.name, i.shape])),
      ceiling: ceiling && { gflops: ceiling.gflops, kernel: ceiling.kernel, shape: ceiling.shape },
      totalMs: p.totalMs,
      sumMs: p.sumMs,
      macs: p.macs,
      gflops: p.gflops,
      pctCeiling: pctCeil(p.gflops),
      peakActivationBytes: p.peakActivationBytes,
      weightBytes: p.weightBytes,
      nodes,
    };
    if (opts.json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    const sorted = nodes.map((n, i) => ({ n, i })).sort((a, b) => b.n.ms - a.n.ms || a.i - b.i).map((x) => x.n);
    const shown = sorted.slice(0, Math.min(sorted.length, top));
    const head = ['layer', 'op', 'kernel', 'output shape', 'ms', '% total', 'GFLOP/s', '% ceiling'];
    const rows = shown.map((n) => [
      n.node,
      n.op,
      n.kernels.length ? n.kernels.join('+') : '(view)',
      fmtShape(n.outputShape),
      fmtMs(n.ms),
      n.pctTotal.toFixed(1),
      n.macs > 0 && n.ms > 0 ? n.gflops.toFixed(1) : '-',
      n.macs > 0 && n.ms > 0 && n.pctCeiling !== null ? n.pctCeiling.toFixed(0) : '-',
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const left = 4; // the first four columns are text
    const line = (r: string[]): string => r.map((c, i) => (i < left ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
    const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
    const calls = nodes.reduce((a, n) => a + n.calls, 0);
    console.log(`${graph.name} (${source}): ${p.variant} build, median of ${runs} runs after ${warmup} warm-up, inputs ${graph.inputs.map((i) => `${i.name} ${fmtShape(i.shape)}`).join(', ')} seeded random in [0,1)`);
    console.log(
      ceiling
        ? `GEMM ceiling: ${ceiling.gflops.toFixed(1)} GFLOP/s (${ceiling.kernel} on ${ceiling.shape}, ${p.variant} build, measured in this run)`
        : 'GEMM ceiling: not measured (--no-ceiling)',
    );
    console.log(rule);
    console.log(line(head));
    console.log(rule.replace(/-/g, '='));
    for (const r of rows) console.log(line(r));
    console.log(rule.replace(/-/g, '='));
    if (shown.length < nodes.length) console.log(`(${nodes.length - shown.length} faster layers not shown)`);
    console.log(`Layers: ${nodes.length} planned nodes, ${calls} kernel calls per run`);
    console.log(`Total: ${fmtMs(p.totalMs)} ms per run (sum of layer medians ${fmtMs(p.sumMs)} ms)`);
    console.log(
      `Compute: ${(p.macs / 1e9).toFixed(3)} GMACs (${(p.macs / 1e6).toFixed(1)}M MACs), ${p.gflops.toFixed(1)} GFLOP/s${result.pctCeiling !== null ? ` = ${result.pctCeiling.toFixed(0)}% of the GEMM ceiling` : ''}`,
    );
    console.log(`Peak activation memory: ${fmtMiB(p.peakActivationBytes)} planned (weights ${fmtMiB(p.weightBytes)})`);
  });
}
