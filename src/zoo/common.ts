import { ShapeError } from '../errors.js';

/** Options every zoo builder takes. */
export interface ZooOptions {
  /** Width multiplier (alpha / scale factor). */
  width?: number;
  /** Square input resolution (H = W). */
  resolution?: number;
  /** Classifier outputs; 1000 = ImageNet. */
  classes?: number;
  /** PRNG seed for the weights. */
  seed?: number;
  /** Batch size N of the input [N, H, W, 3]; default 1. */
  batch?: number;
}

/** Description of one option, for the ZOO registry and error messages. */
export interface OptionSpec {
  type: 'number' | 'integer' | 'boolean' | 'enum';
  default: number | boolean | string;
  min?: number;
  max?: number;
  values?: readonly (number | string)[];
  description: string;
}

export function checkRange(model: string, option: string, value: unknown, min: number, max: number, integer = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
  if (!ok) {
    throw new ShapeError(`${model}: option '${option}' is ${JSON.stringify(value)} but must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`);
  }
  return value as number;
}

export function checkOneOf<T extends number | string | boolean>(model: string, option: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new ShapeError(`${model}: option '${option}' is ${JSON.stringify(value)} but must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  return value as T;
}

/** Rejects option names the builder does not know (typos would otherwise be silently ignored). */
export function checkKnown(model: string, opts: object, known: readonly string[]): void {
  for (const k of Object.keys(opts)) {
    if ((opts as Record<string, unknown>)[k] !== undefined && !known.includes(k)) {
      throw new ShapeError(`${model}: unknown option '${k}'; known options: ${known.join(', ')}`);
    }
  }
}

/** The common options validated; resolution range depends on the model. */
export function commonOptions(model: string, o: ZooOptions, res: { min: number; max: number; def: number }) {
  const resolution = checkRange(model, 'resolution', o.resolution ?? res.def, res.min, res.max, true);
  const classes = checkRange(model, 'classes', o.classes ?? 1000, 1, 100000, true);
  const seed = checkRange(model, 'seed', o.seed ?? 1, 0, 2 ** 32 - 1, true);
  const batch = checkRange(model, 'batch', o.batch ?? 1, 1, 1024, true);
  return { resolution, classes, seed, batch };
}

/**
 * Keras / TF-slim `_make_divisible` (MobileNetV2) = MobileNetV3 `_depth`: round to the nearest multiple of
 * `divisor` (at least minValue), and never more than 10% below v.
 */
export function makeDivisible(v: number, divisor = 8, minValue = divisor): number {
  let n = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

export const COMMON_OPTION_SPECS = {
  classes: { type: 'integer', default: 1000, min: 1, max: 100000, description: 'classifier outputs' },
  seed: { type: 'integer', default: 1, min: 0, max: 2 ** 32 - 1, description: 'weight PRNG seed' },
  batch: { type: 'integer', default: 1, min: 1, max: 1024, description: 'batch size N' },
} as const satisfies Record<string, OptionSpec>;
