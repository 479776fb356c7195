import { cpus } from 'node:os';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { Graph } from '../graph/ir.js';
import { graphStats } from '../graph/stats.js';
import type { WasmVariant } from '../kernels/loader.js';
import { Session } from '../runtime/session.js';
import { ZOO } from '../zoo/index.js';
import type { ZooFlagValues } from './model-arg.js';
import { loadModelForRun, parseCount, randomFeeds, resolveVariant } from './profile.js';
import { addZooFlags } from './zoo-flags.js';

interface BenchOpts extends ZooFlagValues {
  runs?: string;
  warmup?: string;
  threads?: string;
  variant?: string;
  inputShape: string[];
  progress: boolean;
  json?: boolean;
}

/** Quantile q of sorted xs, linear between neighbours (so p10 <= median <= p90). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Peak resident set size of this process so far, bytes (the kernel's high-water mark and our samples). */
function peakRss(sampled: number): number {
  return Math.max(sampled, process.resourceUsage().maxRSS * 1024);
}

/** `sepconv bench <model>`: end-to-end latency of Session.run, load time and memory. */
export function benchCommand(): Command {
  const cmd = new Command('bench')
    .description('benchmark a model end to end through Session.run: median, p10 / p90 and min latency, ms per GMAC, load time (file to first result), peak RSS; inputs are seeded random in [0,1)')
    .argument('<model>', `a zoo model (${Object.keys(ZOO).join(', ')}) or a model file (.sepconv, TF.js model.json / model.min.js, .onnx)`)
    .option('--runs <n>', 'timed runs', '50')
    .option('--warmup <n>', 'untimed runs after the first (the wasm engine optimises hot kernels during the first runs)', '5')
    .option('--threads <n>', 'worker threads (accepted; sessions run on one thread for now)', '1')
    .option('--variant <build>', "kernel build: simd, relaxed or auto (relaxed when the engine has relaxed SIMD; 'relaxed' turns on Node 20's --experimental-wasm-relaxed-simd)", 'auto')
    .option('--input-shape <shape>', 'shape for inputs with unknown dimensions: name=1x224x224x3 or 1x224x224x3 for the first input (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--no-progress', 'no progress bar (it is only drawn on a terminal, on stderr)')
    .option('--json', 'print { model, variant, runs, medianMs, p10Ms, p90Ms, minMs, maxMs, msPerGmac, loadMs, peakRssMB, ... } as JSON');
  addZooFlags(cmd);
  cmd.addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  $ sepconv bench mobilenet_v2',
      '  $ sepconv bench mobilenet_v3_small --width 0.75 --resolution 160 --runs 200',
      '  $ sepconv bench test/fixtures/tfjs/selfie/selfie.json --variant relaxed',
      '  $ sepconv bench model.sepconv --json > bench.json',
      '',
      'Load time runs from the start of reading (or building) the model to the first result:',
      'import, graph passes, weight packing, planning and the first run (cold kernels).',
      'Peak RSS is the process high-water mark (Node itself included).',
    ].join('\n'),
  );
  return cmd.action(async (model: string, opts: BenchOpts) => {
    const runs = parseCount('--runs', opts.runs, 50, 1);
    const warmup = parseCount('--warmup', opts.warmup, 5, 0);
    const threads = parseCount('--threads', opts.threads, 1, 1);
    const variant = resolveVariant(opts.variant);
    if (threads > 1) console.error(`note: --threads ${threads}: sessions run on one thread for now; measuring 1 thread`);
    let rss = process.memoryUsage().rss;
    const sample = () => {
      rss = Math.max(rss, process.memoryUsage().rss);
    };

    const showBar = opts.progress && !opts.json && !!process.stderr.isTTY;
    const bar = new cliProgress.SingleBar(
      { format: 'bench {phase} [{bar}] {value}/{total} runs', clearOnComplete: true, hideCursor: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    if (showBar) bar.start(warmup + runs, 0, { phase: 'loading' });
    let s: Session | undefined;
    let loaded: { graph: Graph; source: string; kernelBuild: WasmVariant; t0: number; tGraph: number; tSession: number; tFirst: number } | undefined;
    const times: number[] = [];
    try {
      // load time: model file (or zoo build) -> first result
      const t0 = performance.now();
      const { graph, source } = await loadModelForRun(model, opts, opts.inputShape);
      const tGraph = performance.now();
      s = await Session.create(graph, { variant, threads });
      const tSession = performance.now();
      const feeds = randomFeeds(s);
      await s.run(feeds);
      const tFirst = performance.now();
      sample();
      if (showBar) bar.update(0, { phase: warmup ? 'warm-up' : 'timing' });
      for (let i = 0; i < warmup; i++) {
        await s.run(feeds);
        if (showBar) bar.increment(1, { phase: i + 1 < warmup ? 'warm-up' : 'timing' });
      }
      for (let i = 0; i < runs; i++) {
        const a = performance.now();
        await s.run(feeds);
        times.push(performance.now() - a);
        if ((i & 7) === 0) sample();
        if (showBar) bar.increment(1, { phase: 'timing' });
      }
      loaded = { graph, source, kernelBuild: s.variant!, t0, tGraph, tSession, tFirst };
    } finally {
      if (showBar) bar.stop();
      sample();
      s?.release();
    }
    const { graph, source, kernelBuild, t0, tGraph, tSession, tFirst } = loaded!;
    const macs = graphStats(graph).macs;
    const sorted = [...times].sort((a, b) => a - b);
    const median = quantile(sorted, 0.5);
    const r = {
      model: graph.name,
      source,
      variant: kernelBuild,
      threads: 1,
      threadsRequested: threads,
      runs,
      warmup,
      inputs: Object.fromEntries(graph.inputs.map((i) => [i.name, i.shape])),
      macs,
      medianMs: median,
      p10Ms: quantile(sorted, 0.1),
      p90Ms: quantile(sorted, 0.9),
      minMs: sorted[0],
      maxMs: sorted[sorted.length - 1],
      msPerGmac: macs > 0 ? median / (macs / 1e9) : 0,
      gmacPerS: macs / median / 1e6,
      loadMs: tFirst - t0,
      load: { graphMs: tGraph - t0, sessionMs: tSession - tGraph, firstRunMs: tFirst - tSession },
      peakRssMB: peakRss(rss) / 1e6,
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
    };
    if (opts.json) {
      console.log(JSON.stringify(r, null, 2));
      return;
    }
    const f = (ms: number) => (ms >= 100 ? ms.toFixed(1) : ms.toFixed(2));
    const lines = [
      `${graph.name} (${source}): ${kernelBuild} build, 1 thread, ${runs} runs after ${warmup} warm-up, inputs ${graph.inputs.map((i) => `${i.name} [${i.shape.join(', ')}]`).join(', ')} seeded random in [0,1)`,
      `  median     ${f(r.medianMs)} ms   (p10 ${f(r.p10Ms)}, p90 ${f(r.p90Ms)}, min ${f(r.minMs)}, max ${f(r.maxMs)})`,
      macs > 0
        ? `  per GMAC   ${r.msPerGmac.toFixed(1)} ms/GMAC   (${r.gmacPerS.toFixed(1)} GMAC/s, ${(macs / 1e6).toFixed(1)}M MACs)`
        : '  per GMAC   - (no MACs)',
      `  load       ${f(r.loadMs)} ms   file to first result (model ${f(r.load.graphMs)}, Session.create ${f(r.load.sessionMs)}, first run ${f(r.load.firstRunMs)})`,
      `  peak RSS   ${r.peakRssMB.toFixed(1)} MB`,
      `  kernels    ${kernelBuild} build (build/sepconv-${kernelBuild}.wasm), Node ${process.version}, ${r.cpu}`,
    ];
    console.log(lines.join('\n'));
  });
}
