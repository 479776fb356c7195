import type { Graph } from '../graph/ir.js';

/** Graph passes run by Session.create. */
export function optimizeGraph(graph: Graph, _options: { keep?: readonly string[] } = {}): Graph {
  return graph;
}
