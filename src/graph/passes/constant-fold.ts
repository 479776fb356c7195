import { interpret } from '../../runtime/interpreter.js';
import type { Constant, Graph } from '../ir.js';
import { inferShapes } from '../shapes.js';
import { rebuild } from './util.js';

/** Nodes whose inputs are all constants are evaluated once (by the interpreter) and become constants. */
export function constantFold(graph: Graph, keep: readonly string[] = []): Graph {
  const keepSet = new Set([...graph.outputs, ...keep]);
  const known = new Map(graph.constants);
  const added: Constant[] = [];
  const folded = new Set<string>();
  for (const n of graph.nodes) {
    if (!n.inputs.every((t) => t === '' || known.has(t)) || n.outputs.some((o) => keepSet.has(o))) continue;
    const sub: Graph = { name: `${graph.name}/fold`, inputs: [], outputs: n.outputs, nodes: [n], constants: new Map(n.inputs.filter(Boolean).map((t) => [t, known.get(t)!])) };
    const shapes = inferShapes(sub);
    const values = interpret(sub, {});
    for (const o of n.outputs) {
      const c = { name: o, shape: shapes.get(o)!, data: values.get(o)! };
      known.set(o, c);
      added.push(c);
    }
    folded.add(n.name);
  }
  if (folded.size === 0) return graph;
  return rebuild(graph, graph.nodes.filter((n) => !folded.has(n.name)), added);
}
