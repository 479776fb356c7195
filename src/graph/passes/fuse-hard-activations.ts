import type { Constant, Graph, Node, OpAttrs } from '../ir.js';
import { inferShapes } from '../shapes.js';
import { freshName, producers, rebuild, useCounts } from './util.js';

const allEqual = (d: Float32Array | undefined, v: number): boolean => !!d && d.length > 0 && d.every((x) => Math.abs(x - v) <= 1e-6 * Math.abs(v));
/**
 * A constant that is 1/6 up to the rounding of a reduced-precision export (float16 writes
 * 0.16662598): returns the factor s = 6c to apply after the exact activation, 1 for float32 1/6.
 */
const sixthScale = (d: Float32Array | undefined): number | null => {
  if (!d || d.length === 0 || !d.every((x) => x === d[0])) return null;
  if (allEqual(d, 1 / 6)) return 1;
  return Math.abs(6 * d[0] - 1) <= 2e-3 ? 6 * d[0] : null;
};

/**
 * The elementwise spellings of MobileNetV3's activations, as TF/TF.js graphs write them, become one
 * Activation node (which the next pass fuses into the producing conv):
 *   h-swish     Mul(Mul(x, 1/6), Relu6(Add(x, 3)))   (either operand order)
 *   h-sigmoid   Mul(Relu6(Add(x, 3)), 1/6)
 * Relu6(Add(x, 3)) may be an Add with act relu6 or an Add followed by an Activation relu6.
 * When the 1/6 constant was rounded on export (c = 0.16662598 in float16 models), the result is
 * the exact activation followed by Mul(·, 6c) per channel, which foldScale then moves into the
 * next convolutions' weights: same value as the graph computes, no elementwise chain left.
 */
export function fuseHardActivations(graph: Graph, keep: readonly string[] = []): Graph {
  const uses = useCounts(graph, keep);
  const prod = producers(graph);
  const c = (t: string) => graph.constants.get(t)?.data;
  /** If t = relu6(x + 3) (single-use pieces), returns x and the nodes to drop. */
  const relu6Plus3 = (t: string): { x: string; nodes: Node[] } | null => {
    let n = prod.get(t);
    const nodes: Node[] = [];
    if (n?.op === 'Activation' && (n.attrs as OpAttrs['Activation']).act === 'relu6' && uses.get(n.inputs[0]) === 1) {
      nodes.push(n);
      n = prod.get(n.inputs[0]);
      if (!n || n.op !== 'Add' || (n.attrs as OpAttrs['Add']).act !== 'linear') return null;
    } else if (!(n?.op === 'Add' && (n.attrs as OpAttrs['Add']).act === 'relu6')) return null;
    if (!allEqual(c(n.inputs[1]), 3)) return null;
    nodes.push(n);
    return { x: n.inputs[0], nodes };
  };
  const times6th = (t: string): { x: string; node: Node; scale: number } | null => {
    const n = prod.get(t);
    if (n?.op !== 'Mul' || (n.attrs as OpAttrs['Mul']).act !== 'linear' || uses.get(t) !== 1) return null;
    const scale = sixthScale(c(n.inputs[1]));
    return scale === null ? null : { x: n.inputs[0], node: n, scale };
  };
  const dropped = new Set<Node>();
  const replaced = new Map<Node, Node[]>();
  const added: Constant[] = [];
  const taken = new Set<string>();
  let shapes: Map<string, number[]> | undefined;
  /** The activation as m's replacement, followed by Mul(., scale) when scale != 1. */
  const replace = (m: Node, x: string, act: 'hswish' | 'hsigmoid', scale: number): void => {
    if (scale === 1) {
      replaced.set(m, [{ name: m.name, op: 'Activation', inputs: [x], outputs: m.outputs, attrs: { act } }]);
      return;
    }
    shapes ??= inferShapes(graph);
    const s = shapes.get(x)!;
    const C = s[s.length - 1];
    const k = freshName(graph, `${m.name}/scale`, taken);
    added.push({ name: k, shape: [C], data: new Float32Array(C).fill(scale) });
    const t = freshName(graph, `${m.name}/${act}`, taken);
    replaced.set(m, [
      { name: t, op: 'Activation', inputs: [x], outputs: [t], attrs: { act } },
      { name: m.name, op: 'Mul', inputs: [t, k], outputs: m.outputs, attrs: { act: 'linear' } },
    ]);
  };
  for (const m of graph.nodes) {
    if (m.op !== 'Mul' || (m.attrs as OpAttrs['Mul']).act !== 'linear' || dropped.has(m)) continue;
    const [p, q] = m.inputs;
    // h-sigmoid: Mul(relu6(x+3), 1/6)
    const scale = sixthScale(c(q));
    if (scale !== null && uses.get(p) === 1) {
      const r = relu6Plus3(p);
      if (r && r.nodes.every((n) => !dropped.has(n))) {
        r.nodes.forEach((n) => dropped.add(n));
        replace(m, r.x, 'hsigmoid', scale);
        continue;
      }
    }
    // h-swish: Mul(x/6, relu6(x+3))
    for (const [a, b] of [[p, q], [q, p]]) {
      const s = times6th(a);
      const r = uses.get(b) === 1 ? relu6Plus3(b) : null;
      if (s && r && s.x === r.x && !dropped.has(s.node) && r.nodes.every((n) => !dropped.has(n))) {
        dropped.add(s.node);
        r.nodes.forEach((n) => dropped.add(n));
        replace(m, s.x, 'hswish', s.scale);
        break;
      }
    }
  }
  const g = replaced.size === 0 ? graph : rebuild(graph, graph.nodes.filter((n) => !dropped.has(n)).flatMap((n) => replaced.get(n) ?? [n]), added);
  return fuseSwishProducts(g, keep);
}

/**
 * Keras spells h-swish x * hard_sigmoid(x): Mul(x, hsigmoid(x)) -> hswish(x), also when the
 * h-sigmoid carries a float16 correction Mul(hsigmoid(x), s) (then hswish(x) * s).
 */
function fuseSwishProducts(graph: Graph, keep: readonly string[]): Graph {
  const uses = useCounts(graph, keep);
  const prod = producers(graph);
  const isHsig = (t: string, x: string) => {
    const n = prod.get(t);
    return n?.op === 'Activation' && (n.attrs as OpAttrs['Activation']).act === 'hsigmoid' && n.inputs[0] === x && uses.get(t) === 1 ? n : null;
  };
  const dropped = new Set<Node>();
  const replaced = new Map<Node, Node[]>();
  for (const m of graph.nodes) {
    if (m.op !== 'Mul' || (m.attrs as OpAttrs['Mul']).act !== 'linear' || dropped.has(m)) continue;
    for (const [x, g] of [[m.inputs[0], m.inputs[1]], [m.inputs[1], m.inputs[0]]]) {
      const h = isHsig(g, x);
      if (h && !dropped.has(h)) {
        dropped.add(h);
        replaced.set(m, [{ name: m.name, op: 'Activation', inputs: [x], outputs: m.outputs, attrs: { act: 'hswish' } }]);
        break;
      }
      const sm = prod.get(g);
      const sc = sm?.op === 'Mul' && (sm.attrs as OpAttrs['Mul']).act === 'linear' && uses.get(g) === 1 && graph.constants.has(sm.inputs[1]) ? sm : null;
      const h2 = sc ? isHsig(sc.inputs[0], x) : null;
      if (sc && h2 && !dropped.has(sc) && !dropped.has(h2)) {
        dropped.add(sc);
        dropped.add(h2);
        const t = `${h2.outputs[0]}/hswish`;
        replaced.set(m, [
          { name: t, op: 'Activation', inputs: [x], outputs: [t], attrs: { act: 'hswish' } },
          { name: m.name, op: 'Mul', inputs: [t, sc.inputs[1]], outputs: m.outputs, attrs: { act: 'linear' } },
        ]);
        break;
      }
    }
  }
  if (replaced.size === 0) return graph;
  return rebuild(graph, graph.nodes.filter((n) => !dropped.has(n)).flatMap((n) => replaced.get(n) ?? [n]));
}
