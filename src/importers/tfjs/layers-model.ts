import { UnsupportedOpError } from '../../errors.js';
import type { Graph } from '../../graph/ir.js';
import type { WeightsGroup } from './weights.js';

/** TF.js layers-model JSON (the parts sepconv reads). */
export interface TfjsLayersModelJson {
  format?: string;
  modelTopology: { model_config?: unknown; class_name?: string; config?: unknown };
  weightsManifest: WeightsGroup[];
}

/** Converts a TF.js layers model (Keras topology) into the IR. */
export function importTfjsLayersModel(modelJson: TfjsLayersModelJson, weightBytes: Uint8Array, options: { outputs?: string[]; source?: string } = {}): Graph {
  void modelJson;
  void weightBytes;
  throw new UnsupportedOpError(`${options.source ?? 'model.json'}: TF.js layers models are not supported yet`);
}
