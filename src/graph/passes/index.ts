import type { Graph } from '../ir.js';
import { inferShapes } from '../shapes.js';
import { constantFold } from './constant-fold.js';
import { removeDeadNodes } from './dead-nodes.js';
import { foldBatchNorm } from './fold-batchnorm.js';
import { deconvToGemm } from './deconv-to-gemm.js';
import { foldBias } from './fold-bias.js';
import { foldPad } from './fold-pad.js';
import { foldScale } from './fold-scale.js';
import { fuseActivation } from './fuse-activation.js';
import { fuseHardActivations } from './fuse-hard-activations.js';
import { fuseResidual } from './fuse-residual.js';

export { constantFold, deconvToGemm, removeDeadNodes, foldBatchNorm, foldBias, foldPad, foldScale, fuseActivation, fuseHardActivations, fuseResidual };

/**
 * The pass pipeline Session.create runs: constants first, then pads, BatchNorms and bias adds into
 * their convolutions, the elementwise spellings of h-swish / h-sigmoid into Activation nodes (their
 * float16-rounded 1/6 corrections folded into the next layers' weights),
 * residual adds into the producing 1x1 convs, activations into epilogues, kernel-equals-stride
 * transposed convs into a 1x1 conv + DepthToSpace, and dead nodes out. `keep`: tensors that must stay observable (requested outputs).
 */
export function optimizeGraph(graph: Graph, options: { keep?: readonly string[]; onPass?: PassObserver; keepWeights?: boolean } = {}): Graph {
  const keep = options.keep ?? [];
  // keepWeights: skip the passes that rewrite weight values (BatchNorm and scale folding), e.g.
  // before weights are rounded to float16: rounding first and folding at load keeps
  // float16-native weights exact.
  const weights = (name: string, pass: (g: Graph) => Graph) => (g: Graph) => (options.keepWeights ? g : run(name, pass, g));
  const run = (name: string, pass: (g: Graph) => Graph, g: Graph): Graph => {
    const out = pass(g);
    options.onPass?.(name, g, out);
    return out;
  };
  let g = run('constantFold', (x) => constantFold(x, keep), graph);
  g = run('foldPad', (x) => foldPad(x, keep), g);
  g = weights('foldBatchNorm', (x) => foldBatchNorm(x, keep))(g);
  g = run('fuseHardActivations', (x) => fuseHardActivations(x, keep), g); // before foldBias moves the +3 of relu6(x + 3) into a bias
  g = weights('foldScale', (x) => foldScale(x, keep))(g);
  g = run('foldBias', (x) => foldBias(x, keep), g);
  g = run('fuseResidual', (x) => fuseResidual(x, inferShapes(x), keep), g);
  g = run('fuseActivation', (x) => fuseActivation(x, keep), g);
  g = run('deconvToGemm', deconvToGemm, g);
  return run('removeDeadNodes', (x) => removeDeadNodes(x, keep), g);
}

/** Called after each pass with the graph before and after it (for reports such as `sepconv convert`). */
export type PassObserver = (pass: string, before: Graph, after: Graph) => void;
