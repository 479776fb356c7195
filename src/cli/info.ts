import { Command } from 'commander';
import type { Graph } from '../graph/ir.js';
import { graphStats } from '../graph/stats.js';
import { Session } from '../runtime/session.js';
import { ZOO } from '../zoo/index.js';
import { loadModelArg, type ZooFlagValues } from './model-arg.js';
import { addZooFlags } from './zoo-flags.js';

const fmtInt = (n: number): string => n.toLocaleString('en-US');
const fmtM = (n: number): string => `${(n / 1e6).toFixed(2)}M`;
const fmtMB = (n: number): string => `${(n / 2 ** 20).toFixed(2)} MiB`;

/**
 * Activation memory as the runtime plans it (after the graph passes, with concat slices, views
 * and in-place ops), next to one buffer per tensor.
 */
async function activationMemory(graph: Graph): Promise<{ plannedBytes: number; naiveBytes: number }> {
  const s = await Session.create(graph);
  const { peakBytes, naiveBytes } = s.plan;
  s.release();
  return { plannedBytes: peakBytes, naiveBytes };
}

/** `sepconv info <zoo-name|file.sepconv>`: a torchsummary-style layer table and totals. */
export function infoCommand(): Command {
  const cmd = new Command('info')
    .description('print a layer table (type, output shape, params, MACs), totals and activation memory')
    .argument('<model>', `a zoo model (${Object.keys(ZOO).join(', ')}) or a .sepconv file`)
    .option('--json', 'print { params, macs, activationBytes, naiveActivationBytes, layers } as JSON');
  addZooFlags(cmd);
  cmd.addHelpText(
    'after',
    '\nExamples:\n  $ sepconv info mobilenet_v2\n  $ sepconv info mobilenet_v3_small --width 0.75 --resolution 160\n  $ sepconv info shufflenet_v1 --groups 8 --json\n  $ sepconv info model.sepconv',
  );
  return cmd.action(async (model: string, opts: ZooFlagValues & { json?: boolean }) => {
    const { graph, source } = await loadModelArg(model, opts);
    const stats = graphStats(graph);
    const mem = await activationMemory(graph);
    if (opts.json) {
      console.log(JSON.stringify({ model: source, params: stats.params, macs: stats.macs, activationBytes: mem.plannedBytes, naiveActivationBytes: mem.naiveBytes, layers: stats.layers }, null, 2));
      return;
    }
    const rows = stats.layers.map((l) => [`${l.name} (${l.op})`, `[${l.outputShape.join(', ')}]`, fmtInt(l.params), fmtInt(l.macs)]);
    const head = ['Layer (type)', 'Output shape', 'Params', 'MACs'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
    console.log(`${graph.name} (${source})`);
    console.log(rule);
    console.log(line(head));
    console.log(rule.replace(/-/g, '='));
    for (const r of rows) console.log(line(r));
    console.log(rule.replace(/-/g, '='));
    console.log(`Total params: ${fmtInt(stats.params)} (${fmtM(stats.params)})`);
    console.log(`Total MACs: ${fmtInt(stats.macs)} (${fmtM(stats.macs)})`);
    console.log(`Inputs: ${graph.inputs.map((i) => `${i.name} [${i.shape.join(', ')}]`).join(', ')}`);
    console.log(`Activation memory: ${fmtMB(mem.plannedBytes)} planned, ${fmtMB(mem.naiveBytes)} naive (one buffer per tensor)`);
    console.log('(planned: after BN/activation/residual fusion, with concat slices written in place, views and in-place elementwise ops)');
  });
}
