export { importTfjsGraphModel, TFJS_GRAPH_OPS, type TfjsModelJson } from './graph-model.js';
export { loadTfjsModel } from './load.js';
export { decodeWeights, type WeightsGroup, type WeightEntry } from './weights.js';
