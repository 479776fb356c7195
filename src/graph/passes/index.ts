import type { Graph } from '../ir.js';
import { inferShapes } from '../shapes.js';
import { constantFold } from './constant-fold.js';
import { removeDeadNodes } from './dead-nodes.js';
import { foldBatchNorm } from './fold-batchnorm.js';
import { foldBias } from './fold-bias.js';
import { foldPad } from './fold-pad.js';
import { foldScale } from './fold-scale.js';
import { fuseActivation } from './fuse-activation.js';
import { fuseHardActivations } from './fuse-hard-activations.js';
import { fuseResidual } from './fuse-residual.js';

export { constantFold, removeDeadNodes, foldBatchNorm, foldBias, foldPad, foldScale, fuseActivation, fuseHardActivations, fuseResidual };

/**
 * The pass pipeline Session.create runs: constants first, then pads, BatchNorms and bias adds into
 * their convolutions, the elementwise spellings of h-swish / h-sigmoid into Activation nodes (their
 * float16-rounded 1/6 corrections folded into the next layers' weights),
 * residual adds into the producing 1x1 convs, activations into epilogues, and dead nodes out. `keep`: tensors that must stay observable (requested outputs).
 */
export function optimizeGraph(graph: Graph, options: { keep?: readonly string[] } = {}): Graph {
  const keep = options.keep ?? [];
  let g = constantFold(graph, keep);
  g = foldPad(g, keep);
  g = foldBatchNorm(g, keep);
  g = fuseHardActivations(g, keep); // before foldBias moves the +3 of relu6(x + 3) into a bias
  g = foldScale(g, keep);
  g = foldBias(g, keep);
  g = fuseResidual(g, inferShapes(g), keep);
  g = fuseActivation(g, keep);
  return removeDeadNodes(g, keep);
}
