import { SepconvError, UnsupportedOpError } from '../errors.js';
import type { Graph, Node } from '../graph/ir.js';
import { inferShapes } from '../graph/shapes.js';
import { graphStats } from '../graph/stats.js';
import type { Kernels } from '../kernels/loader.js';
import { planArena } from './arena.js';
import { planLayouts, type TensorLayout } from './layout.js';
import { LOWERED_OPS, lowerNode, type Step } from './lower.js';

/** A graph lowered onto one kernel library: data, printed by `info`, walked by the run loop. */
export interface Plan {
  steps: Step[];
  /** Every activation tensor: layout and pointer. */
  tensors: Map<string, TensorLayout & { ptr: number }>;
  inputs: Map<string, number[]>;
  outputs: Map<string, number[]>;
  /** Activation arena after lifetime packing, and what one buffer per tensor would take. */
  peakBytes: number;
  naiveBytes: number;
  /** Packed weights and constants in kernel memory. */
  weightBytes: number;
  /**
   * The planned (pruned, optimised) graph's nodes in run order, with output shape and MACs
   * (graphStats). Nodes that are views (Flatten, Reshape, Split, in-place Concat) have no steps.
   */
  nodes: PlanNode[];
}

export interface PlanNode {
  name: string;
  op: string;
  outputShape: number[];
  macs: number;
}

/**
 * Plans `graph` (already pruned to what `outputs` need, and optimised) on kernel library `k`:
 * layouts and lifetimes -> activation arena -> weights packed once -> one validated kernel
 * call per step. Fails with UnsupportedOpError before touching memory if any op cannot run.
 */
export function buildPlan(k: Kernels, graph: Graph, outputs: readonly string[]): Plan {
  const supported = new Set<string>(LOWERED_OPS);
  for (const n of graph.nodes) {
    if (!supported.has(n.op)) {
      throw new UnsupportedOpError(`node '${n.name}': op '${n.op}' cannot be run by sepconv; supported ops: ${LOWERED_OPS.join(', ')}`);
    }
  }
  const shapes = inferShapes(graph);
  const keep = new Set(outputs);
  const nodes: Node[] = graph.nodes;
  const { layouts, lifetimes } = planLayouts(graph, nodes, shapes, keep);
  const arena = planArena(lifetimes);

  const base = k.arena.alloc(arena.peakBytes, 64);
  const tensors = new Map<string, TensorLayout & { ptr: number }>();
  for (const l of layouts.values()) tensors.set(l.name, { ...l, ptr: base + arena.offsets.get(l.name)! });

  let weightBytes = 0;
  const constPtrs = new Map<string, number>();
  const upload = (data: Float32Array): number => {
    weightBytes += data.byteLength;
    return k.arena.put(data);
  };
  let zerosPtr = 0;
  let zerosLen = 0;
  const steps: Step[] = [];
  const ctx = {
    k,
    layouts,
    constants: graph.constants,
    ptr: (name: string): number => {
      const t = tensors.get(name);
      if (!t) throw new SepconvError(`plan: tensor '${name}' has no buffer (a constant used as an activation?)`);
      return t.ptr;
    },
    upload,
    constPtr: (name: string): number => {
      let p = constPtrs.get(name);
      if (p === undefined) {
        p = upload(graph.constants.get(name)!.data);
        constPtrs.set(name, p);
      }
      return p;
    },
    zeros: (n: number): number => {
      if (n > zerosLen) {
        zerosPtr = upload(new Float32Array(n));
        zerosLen = n;
      }
      return zerosPtr;
    },
  };
  for (const n of nodes) lowerNode(ctx, n, steps);
  return {
    steps,
    tensors,
    inputs: new Map(graph.inputs.map((i) => [i.name, i.shape])),
    outputs: new Map(outputs.map((o) => [o, shapes.get(o)!])),
    peakBytes: arena.peakBytes,
    naiveBytes: arena.naiveBytes,
    weightBytes,
    nodes: graphStats(graph).layers.map((l) => ({ name: l.name, op: l.op, outputShape: l.outputShape, macs: l.macs })),
  };
}

/** Runs every step once. */
export function runPlan(plan: Plan): void {
  const steps = plan.steps;
  for (let i = 0; i < steps.length; i++) steps[i].fn.apply(undefined, steps[i].args);
}

/** Per-node timing of a plan (profilePlan). */
export interface PlanProfile {
  /** One entry per run of consecutive steps of one node, in run order. */
  groups: { node: string; op: string; kernels: string[]; calls: number; ms: number }[];
  /** Wall time of each profiled run, ms (timestamps are chained, so node times add up to it). */
  runMs: number[];
}

const median = (xs: ArrayLike<number>): number => {
  const s = Array.from(xs).sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

/**
 * Runs the plan `runs` times taking a `performance.now()` timestamp after each node's steps
 * (a separate loop: runPlan stays untouched) and returns each node's median time.
 * `beforeRun` is called (untimed) before every run, e.g. to rewrite the inputs.
 */
export function profilePlan(plan: Plan, runs: number, beforeRun?: () => void): PlanProfile {
  if (!Number.isInteger(runs) || runs < 1) throw new SepconvError(`profilePlan: runs = ${String(runs)} must be an integer >= 1`, 'E_USAGE');
  const steps = plan.steps;
  const ends: number[] = [];
  const groups: PlanProfile['groups'] = [];
  for (let i = 0; i < steps.length; i++) {
    if (i === 0 || steps[i].node !== steps[i - 1].node) groups.push({ node: steps[i].node, op: steps[i].op, kernels: [], calls: 0, ms: 0 });
    const g = groups[groups.length - 1];
    if (!g.kernels.includes(steps[i].kernel)) g.kernels.push(steps[i].kernel);
    g.calls++;
    ends[groups.length - 1] = i + 1;
  }
  const times = groups.map(() => new Float64Array(runs));
  const runMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    beforeRun?.();
    const t0 = performance.now();
    let prev = t0;
    let i = 0;
    for (let g = 0; g < groups.length; g++) {
      const end = ends[g];
      for (; i < end; i++) steps[i].fn.apply(undefined, steps[i].args);
      const t = performance.now();
      times[g][r] = t - prev;
      prev = t;
    }
    runMs.push(prev - t0);
  }
  groups.forEach((g, j) => (g.ms = median(times[j])));
  return { groups, runMs };
}
