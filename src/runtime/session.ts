import { SepconvError, ShapeError } from '../errors.js';
import type { Graph } from '../graph/ir.js';
import { sizeOf, toNchw } from '../graph/ir.js';
import { fmtShape } from '../graph/shapes.js';
import { loadKernels, type Kernels, type WasmVariant } from '../kernels/loader.js';
import { buildPlan, profilePlan, runPlan, type Plan } from '../plan/plan.js';
import { neededNodes } from './interpreter.js';
import { optimizeGraph } from './optimize.js';
import { loadGraph, type ModelSource } from './source.js';

export type { ModelSource, TfjsModelSource } from './source.js';

export interface SessionOptions {
  /**
   * Worker threads. Accepted for API stability; sessions currently run on the calling thread
   * whatever the value (multi-threaded execution is a later milestone).
   */
  threads?: number;
  /** Tensors to return: graph outputs or any named intermediate tensor. Default: the graph's outputs. */
  outputs?: string[];
  /** Shapes for model inputs with unknown dimensions (TF.js [-1,-1,-1,3], ...); batch defaults to 1. */
  inputShapes?: Record<string, number[]>;
  /** Run the graph passes (BN folding, activation fusion, ...). Default true. */
  optimize?: boolean;
  /** Kernel build: 'auto' (default) picks relaxed SIMD when the engine has it. */
  variant?: WasmVariant | 'auto';
  /**
   * Layout of the 4-D tensors given to `run` and returned by it (and of the shapes in
   * `inputs` / `outputs`): 'nchw' ([N,C,H,W], as ONNX Runtime users expect) or 'nhwc' ([N,H,W,C]).
   * Default: the model's own, 'nchw' for ONNX models and 'nhwc' for .sepconv / TF.js models.
   * Models always run NHWC; with 'nchw', 4-D inputs are transposed before the run and 4-D outputs
   * after it. Tensors of other ranks are passed as they are.
   */
  layout?: 'nchw' | 'nhwc';
}

export interface Tensor {
  data: Float32Array;
  shape: number[];
}

/** One planned node's timing (Session.profile). */
export interface NodeProfile {
  node: string;
  op: string;
  /** Manifest kernels its calls use, in call order; [] for views. */
  kernels: string[];
  /** Kernel calls per run. */
  calls: number;
  /** NHWC output shape. */
  outputShape: number[];
  /** Median over the profiled runs. */
  ms: number;
  macs: number;
  /** 2 * MACs / ms; 0 for nodes without MACs or time. */
  gflops: number;
}

export interface SessionProfile {
  variant: WasmVariant;
  runs: number;
  /** Every planned node in run order. */
  nodes: NodeProfile[];
  /** Median wall time of a profiled run, ms. */
  totalMs: number;
  /** Sum of the nodes' median times, ms. */
  sumMs: number;
  macs: number;
  /** 2 * macs / totalMs. */
  gflops: number;
  /** Planned activation arena (the `peakBytes` of the plan). */
  peakActivationBytes: number;
  weightBytes: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

/** The graph restricted to the nodes `outputs` depend on (and the inputs and constants they read). */
export function pruneGraph(graph: Graph, outputs: readonly string[]): Graph {
  const known = new Set<string>([...graph.inputs.map((i) => i.name), ...graph.nodes.flatMap((n) => n.outputs)]);
  for (const o of outputs) {
    if (!known.has(o)) {
      const names = [...known];
      throw new ShapeError(
        `'${o}' is not a tensor of graph '${graph.name}'; outputs can be graph outputs or intermediate tensors such as ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', ...' : ''}`,
      );
    }
  }
  const needed = neededNodes(graph, outputs);
  const nodes = graph.nodes.filter((n) => needed.has(n));
  const used = new Set<string>([...outputs, ...nodes.flatMap((n) => n.inputs)]);
  return {
    ...graph,
    name: graph.name,
    inputs: graph.inputs.filter((i) => used.has(i.name)),
    outputs: [...outputs],
    nodes,
    constants: new Map([...graph.constants].filter(([name]) => used.has(name))),
  };
}

/** [N,H,W,C] <-> [N,C,H,W] shapes. */

/**
 * A loaded model: `Session.create(source, options)`, then `run(feeds)` as often as needed,
 * then `release()`. Tensors are float32, 4-D ones NHWC or NCHW (SessionOptions.layout).
 */
export class Session {
  readonly inputNames: string[];
  readonly outputNames: string[];
  /** Input name -> shape. */
  readonly inputs: Record<string, number[]>;
  /** Output name -> shape. */
  readonly outputs: Record<string, number[]>;
  /** The execution plan: steps (kernel per call), activation memory figures. */
  readonly plan: Plan;
  /** Layout of the 4-D tensors `run` takes and returns (SessionOptions.layout). */
  readonly layout: 'nchw' | 'nhwc';
  private kernels: Kernels | null;
  private heap: Float32Array;

  private constructor(kernels: Kernels, plan: Plan, layout: 'nchw' | 'nhwc') {
    this.kernels = kernels;
    this.heap = new Float32Array(kernels.memory.buffer);
    this.plan = plan;
    this.layout = layout;
    const user = (s: number[]) => (layout === 'nchw' ? toNchw(s) : [...s]);
    this.inputNames = [...plan.inputs.keys()];
    this.outputNames = [...plan.outputs.keys()];
    this.inputs = Object.fromEntries([...plan.inputs].map(([k, s]) => [k, user(s)]));
    this.outputs = Object.fromEntries([...plan.outputs].map(([k, s]) => [k, user(s)]));
  }

  /**
   * Loads a model: a .sepconv or .onnx file path (Node) or URL, .sepconv or ONNX bytes, a TF.js
   * model, or an in-memory Graph. ONNX models take and return NCHW tensors unless
   * `options.layout` is 'nhwc'.
   */
  static async create(source: ModelSource, options: SessionOptions = {}): Promise<Session> {
    if (options.layout !== undefined && options.layout !== 'nchw' && options.layout !== 'nhwc') {
      throw new ShapeError(`Session.create: option 'layout' = ${JSON.stringify(options.layout)} must be 'nchw' or 'nhwc'`);
    }
    const graph = await loadGraph(source, { outputs: options.outputs, inputShapes: options.inputShapes });
    if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
      throw new ShapeError(`Session.create: option 'threads' = ${String(options.threads)} must be an integer >= 1`);
    }
    const layout = options.layout ?? (graph.layout === 'NCHW' ? 'nchw' : 'nhwc');
    const outputs = options.outputs ?? graph.outputs;
    let g = pruneGraph(graph, outputs);
    if (options.optimize !== false) g = optimizeGraph(g, { keep: outputs });
    const kernels = await loadKernels({ variant: options.variant ?? 'auto' });
    const plan = buildPlan(kernels, g, outputs);
    return new Session(kernels, plan, layout);
  }

  /** Validates the feeds (names, shapes, lengths) and writes them into the plan's input buffers. */
  private writeFeeds(feeds: Record<string, Tensor>): void {
    const k = this.kernels;
    if (!k) throw new SepconvError('this session was released; create a new one with Session.create', 'E_RELEASED');
    for (const name of Object.keys(feeds)) {
      if (!(name in this.inputs)) throw new ShapeError(`unknown input '${name}'; this model's inputs are ${this.inputNames.map((n) => `'${n}'`).join(', ')}`);
    }
    for (const name of this.inputNames) {
      const want = this.inputs[name];
      const feed = feeds[name];
      if (!feed) throw new ShapeError(`missing input '${name}' (shape ${fmtShape(want)})`);
      if (!(feed.data instanceof Float32Array)) throw new ShapeError(`input '${name}': data must be a Float32Array`);
      if (!Array.isArray(feed.shape) || feed.shape.length !== want.length || feed.shape.some((d, i) => d !== want[i])) {
        throw new ShapeError(`input '${name}' has shape ${fmtShape(feed.shape)} but the model expects ${fmtShape(want)} (${this.layout === 'nchw' && want.length === 4 ? 'NCHW' : 'NHWC'})`);
      }
      if (feed.data.length !== sizeOf(want)) {
        throw new ShapeError(`input '${name}' has ${feed.data.length} values but shape ${fmtShape(want)} needs ${sizeOf(want)}`);
      }
    }
    // One Float32Array over the whole memory, renewed only if the memory grew (it does not after planning).
    if (this.heap.buffer !== k.memory.buffer) this.heap = new Float32Array(k.memory.buffer);
    for (const name of this.inputNames) {
      const at = this.plan.tensors.get(name)!.ptr >>> 2;
      const s = this.inputs[name];
      if (this.layout === 'nchw' && s.length === 4) nchwToNhwc(feeds[name].data, s, this.heap, at);
      else this.heap.set(feeds[name].data, at);
    }
  }

  /** Runs the model. Feeds are validated (names, shapes, lengths) before any kernel runs. */
  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    this.writeFeeds(feeds);
    runPlan(this.plan);
    const heap = this.heap;
    const out: Record<string, Tensor> = {};
    for (const name of this.outputNames) {
      const t = this.plan.tensors.get(name)!;
      const n = sizeOf(t.shape);
      const at = t.ptr >>> 2;
      let data: Float32Array;
      if (t.stride === t.channels) data = heap.slice(at, at + n);
      else {
        data = new Float32Array(n);
        for (let r = at, o = 0; o < n; r += t.stride) for (let c = 0; c < t.channels; c++) data[o++] = heap[r + c];
      }
      if (this.layout === 'nchw' && t.shape.length === 4) out[name] = { data: nhwcToNchw(data, t.shape), shape: toNchw(t.shape) };
      else out[name] = { data, shape: [...t.shape] };
    }
    return out;
  }

  /** The kernel build this session runs on ('simd' or 'relaxed'); null once released. */
  get variant(): WasmVariant | null {
    return this.kernels?.variant ?? null;
  }

  /**
   * Per-layer timing: `warmup` plain runs, then `runs` runs with a timestamp after each node's
   * kernel calls (inputs rewritten before every run). Returns every planned node in run order with
   * its kernels, output shape (NHWC), median ms, MACs and GFLOP/s (2 * MACs / time), plus totals.
   * Views (no kernel call) have ms 0. Timing adds one performance.now() per node; run() is unchanged.
   */
  async profile(feeds: Record<string, Tensor>, options: { runs?: number; warmup?: number } = {}): Promise<SessionProfile> {
    const runs = options.runs ?? 10;
    const warmup = options.warmup ?? 1;
    if (!Number.isInteger(runs) || runs < 1) throw new ShapeError(`profile: option 'runs' = ${String(runs)} must be an integer >= 1`);
    if (!Number.isInteger(warmup) || warmup < 0) throw new ShapeError(`profile: option 'warmup' = ${String(warmup)} must be an integer >= 0`);
    this.writeFeeds(feeds);
    for (let i = 0; i < warmup; i++) {
      this.writeFeeds(feeds);
      runPlan(this.plan);
    }
    const p = profilePlan(this.plan, runs, () => this.writeFeeds(feeds));
    const byNode = new Map<string, { kernels: string[]; calls: number; ms: number }>();
    for (const g of p.groups) {
      const e = byNode.get(g.node);
      if (!e) byNode.set(g.node, { kernels: [...g.kernels], calls: g.calls, ms: g.ms });
      else {
        for (const kn of g.kernels) if (!e.kernels.includes(kn)) e.kernels.push(kn);
        e.calls += g.calls;
        e.ms += g.ms;
      }
    }
    const nodes: NodeProfile[] = this.plan.nodes.map((n) => {
      const g = byNode.get(n.name);
      const ms = g?.ms ?? 0;
      return { node: n.name, op: n.op, kernels: g?.kernels ?? [], calls: g?.calls ?? 0, outputShape: [...n.outputShape], ms, macs: n.macs, gflops: ms > 0 ? (2 * n.macs) / ms / 1e6 : 0 };
    });
    const totalMs = median(p.runMs);
    const macs = nodes.reduce((s, n) => s + n.macs, 0);
    return {
      variant: this.kernels!.variant,
      runs,
      nodes,
      totalMs,
      sumMs: nodes.reduce((s, n) => s + n.ms, 0),
      macs,
      gflops: (2 * macs) / totalMs / 1e6,
      peakActivationBytes: this.plan.peakBytes,
      weightBytes: this.plan.weightBytes,
    };
  }

  /** Frees the kernel memory and the plan; the session cannot run afterwards. */
  release(): void {
    this.kernels = null;
    this.heap = new Float32Array(0);
    this.plan.steps.length = 0;
    this.plan.tensors.clear();
  }
}

/** Writes NCHW `x` of NCHW shape `s` as NHWC into `heap` at float index `at`. */
function nchwToNhwc(x: Float32Array, s: readonly number[], heap: Float32Array, at: number): void {
  const [N, C, H, W] = s;
  const hw = H * W;
  for (let n = 0; n < N; n++) {
    const src = n * C * hw;
    const dst = at + n * hw * C;
    for (let c = 0; c < C; c++) for (let p = 0; p < hw; p++) heap[dst + p * C + c] = x[src + c * hw + p];
  }
}

/** NHWC data of NHWC shape `s` -> NCHW. */
function nhwcToNchw(x: Float32Array, s: readonly number[]): Float32Array {
  const [N, H, W, C] = s;
  const hw = H * W;
  const y = new Float32Array(x.length);
  for (let n = 0; n < N; n++) {
    const base = n * hw * C;
    for (let p = 0; p < hw; p++) for (let c = 0; c < C; c++) y[base + c * hw + p] = x[base + p * C + c];
  }
  return y;
}
