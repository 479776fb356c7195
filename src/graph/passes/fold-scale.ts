import type { Constant, Graph, Node, OpAttrs } from '../ir.js';
import { inferShapes } from '../shapes.js';
import { freshName, rebuild, useCounts } from './util.js';

/** Ops through which a per-channel scale passes unchanged: op(s * x) = s * op(x). */
const TRANSPARENT = new Set(['GlobalAvgPool', 'AvgPool', 'Pad', 'Reshape', 'Flatten']);

/**
 * Mul(x, s) with s a per-channel constant [C] whose result only reaches linear layers (through
 * ops a channel scale passes through: pooling, padding, reshapes, SE gating, and relu / max
 * pooling when s > 0) -> s is folded into those layers' weights along their input channels and
 * the Mul disappears. Float16 models spell h-swish with a rounded 1/6; after fuseHardActivations
 * this is where its correction factor goes.
 */
export function foldScale(graph: Graph, keep: readonly string[] = []): Graph {
  const uses = useCounts(graph, keep);
  const kept = new Set([...graph.outputs, ...keep]);
  const consumers = new Map<string, Node[]>();
  for (const n of graph.nodes) for (const i of new Set(n.inputs)) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  let shapes: Map<string, number[]> | undefined;
  const consts = graph.constants;
  const removed = new Set<Node>();
  const rewritten = new Map<Node, Node>();
  const added: Constant[] = [];
  const taken = new Set<string>();

  for (const m of graph.nodes) {
    if (m.op !== 'Mul' || (m.attrs as OpAttrs['Mul']).act !== 'linear' || removed.has(m) || rewritten.has(m)) continue;
    const k = consts.get(m.inputs[1]);
    if (!k || k.shape.length !== 1 || consts.has(m.inputs[0])) continue;
    shapes ??= inferShapes(graph);
    const C = k.shape[0];
    const xs = shapes.get(m.inputs[0])!;
    if (xs[xs.length - 1] !== C) continue;
    const s = k.data;
    const positive = s.every((v) => v > 0);
    // Walk everything the scaled tensor reaches; collect the weight layers that absorb it.
    const absorbers: Node[] = [];
    const ok = (t: string): boolean => {
      if (kept.has(t)) return false;
      const cs = consumers.get(t) ?? [];
      if (cs.length === 0 || cs.length !== uses.get(t)) return false;
      return cs.every((n) => {
        if (removed.has(n) || rewritten.has(n) || n.inputs.filter((i) => i === t).length !== 1) return false;
        const os = shapes!.get(n.outputs[0])!;
        const sameChannels = os[os.length - 1] === C;
        if (n.inputs[0] === t && ['Conv2D', 'DepthwiseConv2D', 'ConvTranspose2D'].includes(n.op) && !absorbers.includes(n)) {
          absorbers.push(n);
          return true;
        }
        if (n.inputs[0] === t && n.op === 'FullyConnected') {
          const K = shapes!.get(n.inputs[1])![1];
          if (K !== C) return false;
          absorbers.push(n);
          return true;
        }
        if (n.inputs[0] === t && TRANSPARENT.has(n.op) && sameChannels) return ok(n.outputs[0]);
        if (n.inputs[0] === t && positive && (n.op === 'MaxPool' || (n.op === 'Activation' && (n.attrs as OpAttrs['Activation']).act === 'relu'))) return ok(n.outputs[0]);
        // SE gating: Mul(t, g) or Mul(g, t) with g not derived from t, linear, same channels
        if (n.op === 'Mul' && (n.attrs as OpAttrs['Mul']).act === 'linear' && sameChannels && !consts.has(n.inputs[0] === t ? n.inputs[1] : n.inputs[0])) {
          return ok(n.outputs[0]);
        }
        return false;
      });
    };
    if (!ok(m.outputs[0]) || absorbers.length === 0) continue;
    for (const a of absorbers) {
      const w = consts.get(a.inputs[1])!;
      const data = Float32Array.from(w.data);
      const sh = w.shape;
      if (a.op === 'DepthwiseConv2D') for (let i = 0; i < data.length; i++) data[i] *= s[i % C];
      else if (a.op === 'FullyConnected' || a.op === 'ConvTranspose2D') for (let i = 0; i < data.length; i++) data[i] *= s[i % C];
      else {
        // Conv2D [cout][kh][kw][cin/groups]: input channel of (o, i) is group(o) * cinG + i
        const [cout, kh, kw, cinG] = sh;
        const groups = C / cinG;
        for (let o = 0; o < cout; o++) {
          const g = Math.floor(o / (cout / groups));
          for (let j = 0; j < kh * kw * cinG; j++) data[o * kh * kw * cinG + j] *= s[g * cinG + (j % cinG)];
        }
      }
      const name = freshName(graph, `${a.name}/weight_scaled`, taken);
      added.push({ name, shape: [...sh], data });
      const inputs = [...a.inputs];
      inputs[1] = name;
      rewritten.set(a, { ...a, inputs });
    }
    // readers of the Mul's output read its input instead
    removed.add(m);
    for (const n of consumers.get(m.outputs[0]) ?? []) {
      const cur = rewritten.get(n) ?? n;
      rewritten.set(n, { ...cur, inputs: cur.inputs.map((i) => (i === m.outputs[0] ? m.inputs[0] : i)) });
    }
  }
  if (removed.size === 0) return graph;
  return rebuild(graph, graph.nodes.filter((n) => !removed.has(n)).map((n) => rewritten.get(n) ?? n), added);
}
