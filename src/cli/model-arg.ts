import { access } from 'node:fs/promises';
import { SepconvError } from '../errors.js';
import type { Graph } from '../graph/ir.js';
import { loadGraph } from '../runtime/source.js';
import { ZOO } from '../zoo/index.js';

/**
 * A shape flag value: "1x224x224x3" / "1,224,224,3", optionally "name=..." (the name may contain
 * '='; the last one separates). Null unless every dim is a positive integer written in digits.
 */
export function splitShapeSpec(spec: string): { name?: string; shape: number[] } | null {
  const eq = spec.lastIndexOf('=');
  const [name, dims] = eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : [undefined, spec];
  const shape = dims.split(/[x,]/i).map((d) => (/^\s*\d+\s*$/.test(d) ? Number(d) : NaN));
  return dims.trim() && shape.every((d) => Number.isInteger(d) && d > 0) ? { name, shape } : null;
}

/** Zoo options the CLI accepts as flags; each model takes the subset its builder declares. */
export const ZOO_FLAGS = ['width', 'resolution', 'groups', 'dilated', 'expansion', 'classes', 'seed', 'backbone'] as const;

export interface ZooFlagValues {
  width?: string;
  resolution?: string;
  groups?: string;
  dilated?: boolean;
  expansion?: string;
  classes?: string;
  seed?: string;
  backbone?: string;
}

/** Zoo options from CLI flags, checked against what the model declares. */
export function zooOptions(model: string, flags: ZooFlagValues): Record<string, unknown> {
  const spec = ZOO[model].options;
  const opts: Record<string, unknown> = {};
  for (const key of ZOO_FLAGS) {
    const raw = flags[key];
    if (raw === undefined) continue;
    if (!(key in spec)) {
      throw new SepconvError(`--${key} does not apply to ${model}; its options are ${Object.keys(spec).map((k) => `--${k}`).join(', ')}`, 'E_USAGE');
    }
    const t = spec[key].type;
    if (t === 'boolean') opts[key] = raw === true || raw === 'true';
    else if (t === 'enum' && typeof spec[key].default === 'string') opts[key] = raw;
    else {
      const v = Number(raw);
      if (!Number.isFinite(v)) throw new SepconvError(`--${key} must be a number, got '${String(raw)}'`, 'E_USAGE');
      opts[key] = v;
    }
  }
  return opts;
}

/** A zoo model name (built with flags), or a model file: .sepconv, TF.js model.json / model.min.js, ONNX. */
export async function loadModelArg(arg: string, flags: ZooFlagValues): Promise<{ graph: Graph; source: string }> {
  if (Object.prototype.hasOwnProperty.call(ZOO, arg)) {
    return { graph: ZOO[arg].build(zooOptions(arg, flags)), source: `zoo:${arg}` };
  }
  try {
    await access(arg);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new SepconvError(`cannot read model '${arg}': ${why}; give a model file (.sepconv, model.json, model.min.js, .onnx) or a zoo name (${Object.keys(ZOO).join(', ')})`, 'E_MODEL_ARG');
  }
  return { graph: await loadGraph(arg), source: arg };
}
