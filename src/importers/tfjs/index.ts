export { importTfjsGraphModel, TFJS_GRAPH_OPS, type ImportOptions, type TfjsModelJson } from './graph-model.js';
export { importTfjsLayersModel, KERAS_ACTIVATIONS, KERAS_LAYERS, type TfjsLayersModelJson } from './layers-model.js';
export { importTfjsModel, loadTfjsModel, readTfjsModelFiles } from './load.js';
export { decodeBase64, parseUmdExport, parseUmdModelJson, parseUmdShard } from './umd.js';
export { decodeWeights, type WeightsGroup, type WeightEntry } from './weights.js';
