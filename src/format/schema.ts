/**
 * Op schema: for every op of the graph IR (src/graph/ir.ts) its input count, output count and
 * attributes with their types and ranges. Used by the reader on every node of a file and by the
 * writer before it writes one.
 */
import { FormatError, UnsupportedOpError } from '../errors.js';
import type { Node, OpType } from '../graph/ir.js';
import { ACT_NAMES } from '../kernels/act.js';

/** What a node looks like before validation (e.g. freshly parsed JSON). */
export interface NodeLike {
  name: string;
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attrs: unknown;
}

/** Advice appended to errors about a malformed node or file. */
export const REEXPORT_HINT = 're-export the model with `sepconv export`';
/** Advice appended to errors about something this version does not know. */
export const NEWER_HINT = 'this file may need a newer sepconv (or re-export the model with `sepconv export` for this version)';

/** Limits (inclusive). */
export const LIMITS = {
  convKernel: [1, 15],
  poolKernel: [1, 255],
  stride: [1, 255],
  dilation: [1, 255],
  pad: [0, 255],
  groups: [1, 65535],
  size: [1, 65535],
  epsilon: [0, 1],
  maxInputs: 1024,
} as const satisfies Record<string, readonly [number, number] | number>;

type AttrCheck =
  | { kind: 'int'; range: readonly [number, number] }
  | { kind: 'intPair'; range: readonly [number, number] }
  | { kind: 'pads' }
  | { kind: 'number'; range: readonly [number, number] }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'intList'; range: readonly [number, number] };

interface OpSchema {
  /** inclusive input count range */
  inputs: readonly [number, number];
  /** outputs: a fixed count, or 'split' (one per entry of attrs.sizes) */
  outputs: number | 'split';
  attrs: Record<string, AttrCheck>;
}

const act: AttrCheck = { kind: 'enum', values: ACT_NAMES };
const pads: AttrCheck = { kind: 'pads' };
const strides: AttrCheck = { kind: 'intPair', range: LIMITS.stride };
const convKernel: AttrCheck = { kind: 'intPair', range: LIMITS.convKernel };
const poolKernel: AttrCheck = { kind: 'intPair', range: LIMITS.poolKernel };
const dilations: AttrCheck = { kind: 'intPair', range: LIMITS.dilation };
const sizePair: AttrCheck = { kind: 'intPair', range: LIMITS.size };

/** The schema of every op in src/graph/ir.ts (`satisfies` makes a missing or extra op a type error). */
export const OP_SCHEMA = {
  Conv2D: {
    inputs: [2, 4],
    outputs: 1,
    attrs: { kernel: convKernel, strides, dilations, pads, groups: { kind: 'int', range: LIMITS.groups }, act },
  },
  DepthwiseConv2D: { inputs: [2, 3], outputs: 1, attrs: { kernel: convKernel, strides, dilations, pads, act } },
  ConvTranspose2D: { inputs: [2, 3], outputs: 1, attrs: { kernel: convKernel, strides, pads, act, outputSize: sizePair } },
  BatchNorm: { inputs: [5, 5], outputs: 1, attrs: { epsilon: { kind: 'number', range: LIMITS.epsilon } } },
  Activation: { inputs: [1, 1], outputs: 1, attrs: { act } },
  Add: { inputs: [2, 2], outputs: 1, attrs: { act } },
  Mul: { inputs: [2, 2], outputs: 1, attrs: { act } },
  Sub: { inputs: [2, 2], outputs: 1, attrs: { act } },
  Div: { inputs: [2, 2], outputs: 1, attrs: { act } },
  Max: { inputs: [2, 2], outputs: 1, attrs: { act } },
  Min: { inputs: [2, 2], outputs: 1, attrs: { act } },
  Prelu: { inputs: [2, 2], outputs: 1, attrs: { act } },
  Concat: { inputs: [1, LIMITS.maxInputs], outputs: 1, attrs: {} },
  ChannelShuffle: { inputs: [1, 1], outputs: 1, attrs: { groups: { kind: 'int', range: LIMITS.groups } } },
  Split: { inputs: [1, 1], outputs: 'split', attrs: { sizes: { kind: 'intList', range: LIMITS.groups } } },
  MaxPool: { inputs: [1, 1], outputs: 1, attrs: { kernel: poolKernel, strides, pads } },
  AvgPool: { inputs: [1, 1], outputs: 1, attrs: { kernel: poolKernel, strides, pads, countIncludePad: { kind: 'bool' } } },
  GlobalAvgPool: { inputs: [1, 1], outputs: 1, attrs: {} },
  Flatten: { inputs: [1, 1], outputs: 1, attrs: {} },
  Reshape: { inputs: [1, 1], outputs: 1, attrs: { shape: { kind: 'intList', range: [1, 0x7fffffff] } } },
  FullyConnected: { inputs: [2, 3], outputs: 1, attrs: { act } },
  Softmax: { inputs: [1, 1], outputs: 1, attrs: {} },
  Resize: {
    inputs: [1, 1],
    outputs: 1,
    attrs: {
      size: sizePair,
      mode: { kind: 'enum', values: ['bilinear', 'nearest'] },
      coord: { kind: 'enum', values: ['legacy', 'align_corners', 'half_pixel'] },
    },
  },
  CReLU: { inputs: [1, 1], outputs: 1, attrs: { act } },
  Pad: { inputs: [1, 1], outputs: 1, attrs: { pads } },
  DepthToSpace: { inputs: [1, 1], outputs: 1, attrs: { block: { kind: 'intPair', range: LIMITS.convKernel } } },
} as const satisfies Record<OpType, OpSchema>;

export const SUPPORTED_OPS = Object.keys(OP_SCHEMA) as OpType[];

export function isOpType(op: unknown): op is OpType {
  return typeof op === 'string' && Object.prototype.hasOwnProperty.call(OP_SCHEMA, op);
}

const show = (v: unknown): string => {
  if (v === undefined) return 'undefined';
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
};

/**
 * Whether input k of an op with `count` inputs may be '' (absent): only the bias of a Conv2D that
 * has a fused residual ([x, weight, '', residual]); an absent trailing bias is simply left out.
 */
export function mayBeEmpty(op: OpType, k: number, count: number): boolean {
  return op === 'Conv2D' && k === 2 && count === 4;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const inRange = (v: number, r: readonly [number, number]) => v >= r[0] && v <= r[1];

function checkAttr(check: AttrCheck, v: unknown): string | undefined {
  switch (check.kind) {
    case 'int':
      return isInt(v) && inRange(v, check.range) ? undefined : `an integer in ${check.range[0]}..${check.range[1]}`;
    case 'intPair':
      return Array.isArray(v) && v.length === 2 && v.every((x) => isInt(x) && inRange(x, check.range))
        ? undefined
        : `a pair [h, w] of integers in ${check.range[0]}..${check.range[1]}`;
    case 'pads':
      return Array.isArray(v) && v.length === 4 && v.every((x) => isInt(x) && inRange(x, LIMITS.pad))
        ? undefined
        : `[top, left, bottom, right], integers in ${LIMITS.pad[0]}..${LIMITS.pad[1]}`;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) && inRange(v, check.range)
        ? undefined
        : `a finite number in ${check.range[0]}..${check.range[1]}`;
    case 'bool':
      return typeof v === 'boolean' ? undefined : 'true or false';
    case 'enum':
      return typeof v === 'string' && check.values.includes(v) ? undefined : `one of ${check.values.join(', ')}`;
    case 'intList':
      return Array.isArray(v) && v.length >= 1 && v.every((x) => isInt(x) && inRange(x, check.range))
        ? undefined
        : `a non-empty list of integers in ${check.range[0]}..${check.range[1]}`;
  }
}

/**
 * Checks a node against the op schema. `where` says where the node comes from (e.g.
 * "model.sepconv header, nodes[3]") and starts every message.
 *
 * - unknown op: UnsupportedOpError naming the op, the node and the supported ops;
 * - unknown attribute: UnsupportedOpError (an attribute this version does not implement);
 * - wrong input/output count, missing attribute, wrong type or out of range: FormatError naming the
 *   node, the attribute, the value and the allowed range.
 */
export function validateNode(node: NodeLike, where: string): asserts node is Node {
  const name = typeof node?.name === 'string' ? node.name : show(node?.name);
  const op = node?.op;
  if (!isOpType(op)) {
    throw new UnsupportedOpError(
      `${where}: node '${name}' uses op ${show(op)}, which this sepconv does not support. ` +
        `Supported ops: ${SUPPORTED_OPS.join(', ')}. ${NEWER_HINT}, or replace the op when exporting.`,
    );
  }
  const at = `${where}: node '${name}' (${op})`;
  const schema: OpSchema = OP_SCHEMA[op];

  if (typeof node.name !== 'string' || node.name === '') throw new FormatError(`${at}: name must be a non-empty string; ${REEXPORT_HINT}.`);
  for (const key of ['inputs', 'outputs'] as const) {
    const list: unknown = node[key];
    if (!Array.isArray(list) || !list.every((s, k) => typeof s === 'string' && (s !== '' || (key === 'inputs' && mayBeEmpty(op, k, list.length))))) {
      const extra = key === 'inputs' && op === 'Conv2D' ? " (only a Conv2D's bias may be '', when a residual follows)" : '';
      throw new FormatError(`${at}: ${key} must be a list of non-empty tensor names${extra}, got ${show(list)}; ${REEXPORT_HINT}.`);
    }
  }
  const [minIn, maxIn] = schema.inputs;
  if (node.inputs.length < minIn || node.inputs.length > maxIn) {
    const range = minIn === maxIn ? `${minIn}` : `${minIn}..${maxIn}`;
    throw new FormatError(`${at}: has ${node.inputs.length} inputs, ${op} takes ${range}; ${REEXPORT_HINT}.`);
  }

  const attrs = node.attrs;
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) {
    throw new FormatError(`${at}: attrs must be an object, got ${show(attrs)}; ${REEXPORT_HINT}.`);
  }
  const a = attrs as Record<string, unknown>;
  for (const key of Object.keys(a)) {
    if (!Object.prototype.hasOwnProperty.call(schema.attrs, key)) {
      const known = Object.keys(schema.attrs);
      throw new UnsupportedOpError(
        `${at}: unknown attribute '${key}' = ${show(a[key])}; ${op} has ${known.length ? known.join(', ') : 'no attributes'}. ${NEWER_HINT}.`,
      );
    }
  }
  for (const [key, check] of Object.entries(schema.attrs)) {
    if (!Object.prototype.hasOwnProperty.call(a, key)) {
      throw new FormatError(`${at}: missing attribute '${key}' (${checkAttr(check, undefined)}); ${REEXPORT_HINT}.`);
    }
    const bad = checkAttr(check, a[key]);
    if (bad !== undefined) {
      // an unknown enum value may be an activation / mode added by a newer version
      const hint = check.kind === 'enum' ? NEWER_HINT : REEXPORT_HINT;
      throw new FormatError(`${at}: attribute '${key}' = ${show(a[key])}, must be ${bad}; ${hint}.`);
    }
  }

  const outCount = schema.outputs === 'split' ? (a.sizes as number[]).length : schema.outputs;
  if (node.outputs.length !== outCount) {
    throw new FormatError(
      `${at}: has ${node.outputs.length} outputs, expected ${outCount}` +
        `${schema.outputs === 'split' ? ' (one per entry of sizes)' : ''}; ${REEXPORT_HINT}.`,
    );
  }
}
