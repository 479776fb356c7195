import type { Graph, Node, OpAttrs, Pads } from '../ir.js';
import { producers, rebuild, useCounts } from './util.js';

/**
 * Pad (zeros) followed by Conv2D / DepthwiseConv2D, or by AvgPool counting padding, -> the pads
 * added to the consumer's own. Never into MaxPool (zero padding would change the maximum) nor
 * an AvgPool that excludes padding from its divisor.
 */
const MAX_PAD = 255; // LIMITS.pad of the file format

export function foldPad(graph: Graph, keep: readonly string[] = []): Graph {
  const uses = useCounts(graph, keep);
  const prod = producers(graph);
  const replaced = new Map<Node, Node>();
  const dropped = new Set<Node>();
  for (const n of graph.nodes) {
    const ok = n.op === 'Conv2D' || n.op === 'DepthwiseConv2D' || (n.op === 'AvgPool' && (n.attrs as OpAttrs['AvgPool']).countIncludePad);
    if (!ok) continue;
    const pad = prod.get(n.inputs[0]);
    if (!pad || pad.op !== 'Pad' || dropped.has(pad) || uses.get(n.inputs[0]) !== 1) continue;
    const p = (pad.attrs as OpAttrs['Pad']).pads;
    const own = (n.attrs as { pads: Pads }).pads;
    const pads: Pads = [own[0] + p[0], own[1] + p[1], own[2] + p[2], own[3] + p[3]];
    // The kernels take at most (effective kernel - 1) padding per side (a window must touch the
    // input); pooling windows may not lie entirely in padding either (shape rule: pads < kernel).
    const a = n.attrs as { kernel: [number, number]; dilations?: [number, number] };
    const eff = [0, 1].map((ax) => (a.kernel[ax] - 1) * (a.dilations?.[ax] ?? 1) + 1);
    if (!pads.every((q, i) => q <= eff[i % 2] - 1 && q <= MAX_PAD)) continue;
    replaced.set(n, { ...n, inputs: [pad.inputs[0], ...n.inputs.slice(1)], attrs: { ...n.attrs, pads } as never });
    dropped.add(pad);
  }
  if (dropped.size === 0) return graph;
  return rebuild(graph, graph.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n));
}
