import { stat, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { SepconvError } from '../errors.js';
import { splitShapeSpec } from './model-arg.js';
import { readSepconv, writeSepconv } from '../format/index.js';
import { toNchw, type Graph } from '../graph/ir.js';
import { optimizeGraph } from '../graph/passes/index.js';
import { graphStats } from '../graph/stats.js';
import { importTfjsModel, readTfjsModelFiles } from '../importers/tfjs/index.js';
import { planFloat16, type Float16Plan } from '../runtime/precision.js';
import { loadGraph } from '../runtime/source.js';

/** What each pass folds, as a phrase for the summary (count first). */
const PASS_PHRASES: Record<string, (n: Record<string, number>) => [number, string][]> = {
  constantFold: (d) => [[-total(d), 'constant expressions evaluated']],
  foldPad: (d) => [[-(d.Pad ?? 0), 'pads folded into convs / pools']],
  foldBatchNorm: (d) => [[-(d.BatchNorm ?? 0), 'BatchNorms folded into weights']],
  fuseHardActivations: (d) => [[d['Activation:hswish'] ?? 0, 'h-swish patterns'], [d['Activation:hsigmoid'] ?? 0, 'h-sigmoid patterns']],
  foldScale: (d) => [[-(d.Mul ?? 0), 'per-channel scales folded into weights']],
  foldBias: (d) => [[-(d.Add ?? 0), 'bias adds folded']],
  fuseResidual: (d) => [[-(d.Add ?? 0), 'residual adds fused into 1x1 convs']],
  fuseActivation: (d) => [[-(d.Activation ?? 0), 'activations fused into epilogues']],
  deconvToGemm: (d) => [[d.DepthToSpace ?? 0, 'narrow transposed convs run as GEMM + depth-to-space']],
  removeDeadNodes: (d) => [[-total(d), 'unused nodes removed']],
};
const total = (d: Record<string, number>) => Object.entries(d).filter(([k]) => !k.includes(':')).reduce((s, [, v]) => s + v, 0);

/** Node counts per op (and per Activation act, as 'Activation:act'). */
function histogram(g: Graph): Record<string, number> {
  const h: Record<string, number> = {};
  for (const n of g.nodes) {
    h[n.op] = (h[n.op] ?? 0) + 1;
    if (n.op === 'Activation') {
      const k = `Activation:${(n.attrs as { act: string }).act}`;
      h[k] = (h[k] ?? 0) + 1;
    }
  }
  return h;
}

const diff = (a: Record<string, number>, b: Record<string, number>) => {
  const d: Record<string, number> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) if ((b[k] ?? 0) !== (a[k] ?? 0)) d[k] = (b[k] ?? 0) - (a[k] ?? 0);
  return d;
};

/** "--input-shape input=1x224x224x3" or "1,224,224,3" (the only / first input). */
export function parseInputShapes(specs: string[]): { named: Record<string, number[]>; unnamed?: number[] } {
  const named: Record<string, number[]> = {};
  let unnamed: number[] | undefined;
  for (const spec of specs) {
    const r = splitShapeSpec(spec);
    if (!r) throw new SepconvError(`--input-shape '${spec}': expected name=1x224x224x3 or 1,224,224,3 (positive integers)`, 'E_USAGE');
    if (r.name) named[r.name] = r.shape;
    else unnamed = r.shape;
  }
  return { named, unnamed };
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;

interface PrecisionSummary {
  counts: Record<string, number>;
  keptFloat32: string[];
  error: number;
  allFloat16Error: number;
}

function precisionSummary(plan: Float16Plan): PrecisionSummary {
  const counts: Record<string, number> = {};
  for (const d of plan.dtypes.values()) counts[d] = (counts[d] ?? 0) + 1;
  return { counts, keptFloat32: plan.keptFloat32, error: plan.error, allFloat16Error: plan.allFloat16Error };
}

function precisionLine(p: PrecisionSummary): string {
  const parts = Object.entries(p.counts).map(([d, n]) => `${n} ${d}`);
  let line = parts.join(', ');
  if (p.keptFloat32.length) line += ` (float16 everywhere would move the outputs by ${p.allFloat16Error.toExponential(1)} of their range; kept float32: ${p.keptFloat32.length})`;
  if (Number.isFinite(p.error)) line += `; output change on random probes ${p.error.toExponential(1)}`;
  return line;
}

interface ConvertOpts {
  output: string;
  fp16?: boolean;
  fp16Tolerance: string;
  outputs?: string;
  inputShape: string[];
  optimize: boolean;
  progress: boolean;
  json?: boolean;
}

/** `sepconv convert <model> -o out.sepconv [--fp16]`. */
export function convertCommand(): Command {
  return new Command('convert')
    .description('convert a TF.js (model.json / UMD model.min.js), ONNX or .sepconv model into an optimized .sepconv file')
    .argument('<model>', 'model.json, model.min.js, model.onnx or model.sepconv')
    .requiredOption('-o, --output <file>', 'where to write the .sepconv file')
    .option('--fp16', 'store weights as float16 (uint8-quantized ones stay uint8); weights whose rounding would move the outputs by more than --fp16-tolerance stay float32')
    .option('--fp16-tolerance <rel>', "largest output change allowed by --fp16, max|Δ| / max|y| on random probes, or 'none'", '1e-3')
    .option('--outputs <names>', 'comma-separated tensors to keep as outputs (default: the model\'s outputs)')
    .option('--input-shape <shape>', 'shape for inputs with unknown dimensions: name=1x224x224x3 (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--no-optimize', 'write the imported graph without fusing / folding')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', '\nExamples:\n  $ sepconv convert selfie.json -o selfie.sepconv\n  $ sepconv convert nsfwjs/mobilenet_v2/model.min.js -o nsfw.sepconv --fp16\n  $ sepconv convert model.json --input-shape input=1x224x224x3 -o model.sepconv')
    .action(async (model: string, opts: ConvertOpts) => {
      const outputs = opts.outputs ? opts.outputs.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      const shapes = parseInputShapes(opts.inputShape);
      const showBar = opts.progress && !opts.json && !!process.stderr.isTTY;
      const bar = new cliProgress.SingleBar({ format: 'converting {phase} [{bar}] {percentage}%', clearOnComplete: true, hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
      if (showBar) bar.start(100, 0, { phase: 'reading' });
      try {
        // import
        let graph: Graph;
        let sourceBytes: number;
        let format: string;
        const isTfjs = /\.(json|[cm]?js)$/i.test(model);
        const inputShapes = async (names: () => Promise<string[]>) => {
          if (!shapes.unnamed) return shapes.named;
          const first = (await names())[0];
          return { ...shapes.named, [first]: shapes.unnamed };
        };
        if (isTfjs) {
          const files = await readTfjsModelFiles(model);
          sourceBytes = (await stat(model)).size + files.weights.length;
          format = `TF.js ${(files.modelJson as { format?: string }).format ?? 'model'}`;
          const firstInput = async () => {
            const probe = (files.modelJson as { modelTopology?: { node?: { name: string; op: string }[] } }).modelTopology?.node?.find((n) => n.op === 'Placeholder');
            return probe ? [probe.name] : [];
          };
          graph = importTfjsModel(files.modelJson, files.weights, { outputs, source: model, inputShapes: await inputShapes(firstInput) });
        } else {
          sourceBytes = (await stat(model).catch(() => ({ size: 0 }))).size;
          format = /\.onnx$/i.test(model) ? 'ONNX' : '.sepconv';
          graph = await loadGraph(model, { outputs, inputShapes: shapes.named });
        }
        if (showBar) bar.update(30, { phase: 'optimizing' });
        const keep = outputs ?? graph.outputs;
        const statsIn = graphStats(graph);
        const fused: [number, string][] = [];
        let passes = 0;
        const optimized = opts.optimize
          ? optimizeGraph(graph, {
              keep,
              keepWeights: opts.fp16,
              onPass: (name, a, b) => {
                for (const [n, what] of PASS_PHRASES[name]?.(diff(histogram(a), histogram(b))) ?? []) if (n > 0) fused.push([n, what]);
                if (showBar) bar.update(30 + 2 * ++passes, { phase: 'optimizing' });
              },
            })
          : graph;
        const dtype = opts.fp16 ? 'float16' : 'float32';
        // --fp16: uint8-quantized weights stay uint8 (exact); the rest float16 unless that moves the
        // outputs more than the tolerance on random probes, then the costliest weights stay float32.
        let plan: Float16Plan | undefined;
        if (opts.fp16) {
          const tolerance = opts.fp16Tolerance === 'none' ? Infinity : Number(opts.fp16Tolerance);
          if (!(tolerance > 0)) throw new SepconvError(`--fp16-tolerance must be a positive number or 'none', got '${opts.fp16Tolerance}'`, 'E_USAGE');
          if (showBar) bar.update(50, { phase: 'checking float16 accuracy' });
          plan = await planFloat16(optimized, { tolerance, onProgress: (d, t) => showBar && bar.update(50 + Math.round((25 * d) / t), { phase: 'checking float16 accuracy' }) });
        }
        const bytes = writeSepconv(plan?.graph ?? optimized, { dtype, perTensor: (name) => plan?.dtypes.get(name), onProgress: (d, t) => showBar && bar.update(75 + Math.round((25 * d) / Math.max(t, 1)), { phase: 'encoding weights' }) });
        readSepconv(bytes, opts.output); // what we write must read back
        try {
          await writeFile(opts.output, bytes);
        } catch (e) {
          throw new SepconvError(`cannot write '${opts.output}': ${(e as Error).message}`, 'E_OUTPUT');
        }
        if (showBar) bar.stop();
        const after = histogram(optimized);
        const nchw = optimized.layout === 'NCHW';
        const userShape = (s: number[]) => (nchw ? toNchw(s) : s);
        const ops = Object.entries(after).filter(([k]) => !k.includes(':')).sort((a, b) => b[1] - a[1]);
        const summary = {
          source: model, format, output: opts.output, dtype,
          inputs: Object.fromEntries(optimized.inputs.map((i) => [i.name, userShape(i.shape)])),
          layout: nchw ? 'NCHW' : 'NHWC',
          outputs: optimized.outputs,
          nodes: { before: graph.nodes.length, after: optimized.nodes.length },
          ops: Object.fromEntries(ops),
          params: statsIn.params, macs: statsIn.macs,
          bytes: { before: sourceBytes, after: bytes.length },
          fused: fused.map(([n, what]) => `${n} ${what}`),
          ...(plan ? { precision: precisionSummary(plan) } : {}),
        };
        if (opts.json) {
          console.log(JSON.stringify(summary));
          return;
        }
        const lines = [
          `converted ${model} (${format}) -> ${opts.output}`,
          `  inputs   ${optimized.inputs.map((i) => `${i.name} [${userShape(i.shape).join(',')}]`).join(', ')}${nchw ? ' (NCHW, as the source model)' : ''}`,
          `  outputs  ${optimized.outputs.join(', ')}`,
          `  ops      ${graph.nodes.length} -> ${optimized.nodes.length} nodes: ${ops.map(([k, v]) => `${k} ${v}`).join(', ')}`,
          `  params   ${statsIn.params.toLocaleString('en-US')}, ${(statsIn.macs / 1e6).toFixed(1)}M MACs`,
          `  size     ${mib(sourceBytes)} -> ${mib(bytes.length)} (${plan ? 'weights below' : `${dtype} weights`})`,
          `  fused    ${fused.length ? fused.map(([n, what]) => `${n} ${what}`).join(', ') : 'nothing to fuse'}`,
        ];
        if (plan) lines.push(`  weights  ${precisionLine(precisionSummary(plan))}`);
        console.log(lines.join('\n'));
      } finally {
        if (showBar) bar.stop();
      }
    });
}
