import type { Graph } from '../ir.js';
import { inferShapes } from '../shapes.js';
import { constantFold } from './constant-fold.js';
import { removeDeadNodes } from './dead-nodes.js';
import { foldBatchNorm } from './fold-batchnorm.js';
import { foldPad } from './fold-pad.js';
import { fuseActivation } from './fuse-activation.js';
import { fuseResidual } from './fuse-residual.js';

export { constantFold, removeDeadNodes, foldBatchNorm, foldPad, fuseActivation, fuseResidual };

/**
 * The pass pipeline Session.create runs: constants first, then pads and BatchNorms into their
 * convolutions, residual adds into the producing 1x1 convs, activations into epilogues, and dead
 * nodes out. `keep`: tensors that must stay observable (requested outputs).
 */
export function optimizeGraph(graph: Graph, options: { keep?: readonly string[] } = {}): Graph {
  const keep = options.keep ?? [];
  let g = constantFold(graph, keep);
  g = foldPad(g, keep);
  g = foldBatchNorm(g, keep);
  g = fuseResidual(g, inferShapes(g), keep);
  g = fuseActivation(g, keep);
  return removeDeadNodes(g, keep);
}
