import { UnsupportedOpError } from '../../errors.js';
import { toNchw, type Graph, type Node, type OpAttrs } from '../../graph/ir.js';
import { inferShapes } from '../../graph/shapes.js';
import type { ActName } from '../../kernels/act.js';
import { AttrType, DataType, encodeModel, type OnnxAttributeProto, type OnnxNodeProto, type OnnxTensorProto, type OnnxValueInfoProto } from './proto.js';
import { floatTensor, int64Tensor, transposeData } from './tensor.js';

export interface OnnxExportOptions {
  /** ONNX opset of the default domain; default 17 (HardSwish needs 14). */
  opset?: number;
  /** producer_name of the ModelProto; default 'sepconv'. */
  producer?: string;
}

type Attr = number | number[] | string | { f: number };
const NHWC_TO_NCHW = [0, 3, 1, 2];
/** The ONNX axis of the IR channel (last) axis. */
const chanAxis = (rank: number): number => (rank === 4 ? 1 : rank - 1);

function attr(name: string, v: Attr): OnnxAttributeProto {
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: AttrType.INT, i: v };
  if (Array.isArray(v)) return { name, type: AttrType.INTS, ints: v };
  return { name, type: AttrType.FLOAT, f: v.f };
}

/**
 * Writes an IR graph as an ONNX model (NCHW, default opset 17), using the same protobuf schema
 * as the importer. 4-D inputs and outputs become NCHW, weights OIHW; activations are separate
 * ONNX ops (relu6 -> Clip(0, 6), hswish -> HardSwish, hsigmoid -> HardSigmoid(1/6, 0.5)),
 * ChannelShuffle becomes Reshape / Transpose / Reshape, IR Flatten of NHWC tensors a Transpose
 * to NHWC order then Flatten. Fused graphs (conv + residual + activation) export too.
 */
export function exportOnnx(graph: Graph, options: OnnxExportOptions = {}): Uint8Array {
  const opset = options.opset ?? 17;
  const shapes = inferShapes(graph);
  // IR tensor names are ONNX tensor names; constants are claimed when written (weights change layout)
  const used = new Set<string>([...graph.inputs.map((i) => i.name), ...graph.nodes.flatMap((n) => n.outputs)]);
  const nodes: OnnxNodeProto[] = [];
  const inits: OnnxTensorProto[] = [];
  const asActivation = new Map<string, string>();
  const fresh = (base: string): string => {
    let n = base;
    for (let i = 1; used.has(n); i++) n = `${base}_${i}`;
    used.add(n);
    return n;
  };
  const emit = (op: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}, name = outputs[0]): void => {
    nodes.push({ name: fresh(`${name}#${op}`), op_type: op, input: inputs, output: outputs, attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)) });
  };
  const shape = (t: string): number[] => shapes.get(t)!;
  const constData = (n: Node, i: number): { shape: number[]; data: Float32Array } => {
    const c = graph.constants.get(n.inputs[i]);
    if (!c) throw new UnsupportedOpError(`exportOnnx: node '${n.name}' (${n.op}): input ${i} '${n.inputs[i]}' must be a constant`);
    return c;
  };
  const init = (name: string, dims: number[], data: ArrayLike<number>): string => {
    const t = fresh(name);
    inits.push(floatTensor(t, dims, data));
    return t;
  };
  const ints = (name: string, values: number[]): string => {
    const t = fresh(name);
    inits.push(int64Tensor(t, [values.length], values));
    return t;
  };
  /** An IR tensor read as an activation: constants become NCHW initializers (once). */
  const input = (t: string): string => {
    const c = graph.constants.get(t);
    if (!c) return t;
    let name = asActivation.get(t);
    if (!name) {
      const data = c.shape.length === 4 ? transposeData(c.data, c.shape, NHWC_TO_NCHW) : c.data;
      name = init(t, toNchw(c.shape), data);
      asActivation.set(t, name);
    }
    return name;
  };
  const act = (x: string, a: ActName, out: string): void => {
    switch (a) {
      case 'linear': return emit('Identity', [x], [out]);
      case 'relu': return emit('Relu', [x], [out]);
      case 'relu6': return emit('Clip', [x, init(`${out}/min`, [], [0]), init(`${out}/max`, [], [6])], [out]);
      case 'hswish': return emit('HardSwish', [x], [out]);
      case 'hsigmoid': return emit('HardSigmoid', [x], [out], { alpha: { f: 1 / 6 }, beta: { f: 0.5 } });
      case 'sigmoid': return emit('Sigmoid', [x], [out]);
      case 'tanh': return emit('Tanh', [x], [out]);
      case 'elu': return emit('Elu', [x], [out], { alpha: { f: 1 } });
    }
  };
  /** Output name of the op itself: the node output, or a temporary when an activation follows. */
  const pre = (n: Node, a: ActName | undefined): string => (a && a !== 'linear' ? fresh(`${n.outputs[0]}/pre_act`) : n.outputs[0]);
  const finish = (n: Node, y: string, a: ActName | undefined): void => {
    if (y !== n.outputs[0]) act(y, a ?? 'linear', n.outputs[0]);
  };
  const reshape = (x: string, dims: number[], out = fresh(`${x}/reshape`)): string => {
    emit('Reshape', [x, ints(`${out}/shape`, dims)], [out]);
    return out;
  };
  const transpose = (x: string, perm: number[], out = fresh(`${x}/transpose`)): string => {
    emit('Transpose', [x], [out], { perm });
    return out;
  };
  const convAttrs = (a: { kernel: number[]; strides: number[]; pads: number[]; dilations?: number[] }) => ({
    kernel_shape: a.kernel, strides: a.strides, pads: a.pads, ...(a.dilations ? { dilations: a.dilations } : {}),
  });

  for (const n of graph.nodes) {
    const out = n.outputs[0];
    const x = n.inputs[0] ? input(n.inputs[0]) : '';
    const xs = n.inputs[0] ? shape(n.inputs[0]) : [];
    const bias = (i: number, count: number) => (n.inputs[i] ? [init(n.inputs[i], [count], constData(n, i).data)] : []);
    switch (n.op) {
      case 'Conv2D': {
        const a = n.attrs as OpAttrs['Conv2D'];
        const w = constData(n, 1);
        const [cout, kh, kw, cig] = w.shape;
        const residual = n.inputs[3];
        const y = residual ? fresh(`${out}/conv`) : pre(n, a.act);
        const b = n.inputs[2] ? bias(2, cout) : [];
        emit('Conv', [x, init(n.inputs[1], [cout, cig, kh, kw], transposeData(w.data, w.shape, [0, 3, 1, 2])), ...b], [y], { ...convAttrs(a), group: a.groups });
        if (residual) {
          const sum = pre(n, a.act);
          emit('Add', [y, input(residual)], [sum]);
          finish(n, sum, a.act);
        } else finish(n, y, a.act);
        break;
      }
      case 'DepthwiseConv2D': {
        const a = n.attrs as OpAttrs['DepthwiseConv2D'];
        const w = constData(n, 1);
        const [kh, kw, C] = w.shape;
        const y = pre(n, a.act);
        emit('Conv', [x, init(n.inputs[1], [C, 1, kh, kw], transposeData(w.data, w.shape, [2, 0, 1])), ...bias(2, C)], [y], { ...convAttrs(a), group: C });
        finish(n, y, a.act);
        break;
      }
      case 'ConvTranspose2D': {
        const a = n.attrs as OpAttrs['ConvTranspose2D'];
        const w = constData(n, 1);
        const [cout, kh, kw, cin] = w.shape;
        const natural = [0, 1].map((ax) => (xs[1 + ax] - 1) * a.strides[ax] + a.kernel[ax] - a.pads[ax] - a.pads[ax + 2]);
        const y = pre(n, a.act);
        emit('ConvTranspose', [x, init(n.inputs[1], [cin, cout, kh, kw], transposeData(w.data, w.shape, [3, 0, 1, 2])), ...bias(2, cout)], [y], {
          ...convAttrs(a), output_padding: [a.outputSize[0] - natural[0], a.outputSize[1] - natural[1]],
        });
        finish(n, y, a.act);
        break;
      }
      case 'BatchNorm': {
        const C = xs[xs.length - 1];
        const params = [1, 2, 3, 4].map((i) => init(n.inputs[i], [C], constData(n, i).data));
        emit('BatchNormalization', [x, ...params], [out], { epsilon: { f: (n.attrs as OpAttrs['BatchNorm']).epsilon } });
        break;
      }
      case 'Activation':
        act(x, (n.attrs as OpAttrs['Activation']).act, out);
        break;
      case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Max': case 'Min': case 'Prelu': {
        const a = (n.attrs as OpAttrs['Add']).act;
        const bs = shape(n.inputs[1]);
        let b: string;
        if (bs.length === 1 && xs.length === 4) {
          const c = graph.constants.get(n.inputs[1]);
          b = c ? init(n.inputs[1], [bs[0], 1, 1], c.data) : reshape(n.inputs[1], [1, bs[0], 1, 1]);
        } else b = input(n.inputs[1]);
        const y = pre(n, a);
        emit(n.op === 'Prelu' ? 'PRelu' : n.op, [x, b], [y]);
        finish(n, y, a);
        break;
      }
      case 'Concat': {
        emit('Concat', n.inputs.map(input), [out], { axis: chanAxis(xs.length) });
        break;
      }
      case 'ChannelShuffle': {
        const g = (n.attrs as OpAttrs['ChannelShuffle']).groups;
        const s = toNchw(xs);
        const C = s[1];
        const v = reshape(x, [s[0], g, C / g, ...s.slice(2)]);
        const t = transpose(v, [0, 2, 1, ...s.slice(2).map((_, i) => 3 + i)]);
        reshape(t, s, out);
        break;
      }
      case 'Split': {
        const sizes = (n.attrs as OpAttrs['Split']).sizes;
        emit('Split', [x, ints(`${n.name}/split`, sizes)], [...n.outputs], { axis: chanAxis(xs.length) });
        break;
      }
      case 'MaxPool':
      case 'AvgPool': {
        const a = n.attrs as OpAttrs['AvgPool'];
        const extra: Record<string, Attr> = n.op === 'AvgPool' ? { count_include_pad: a.countIncludePad ? 1 : 0 } : {};
        emit(n.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [x], [out], { ...convAttrs(a), ...extra });
        break;
      }
      case 'GlobalAvgPool':
        emit('GlobalAveragePool', [x], [out]);
        break;
      case 'Flatten': {
        // ONNX flattens NCHW order; the IR flattens NHWC: the same only when H = W = 1 or C = 1
        const nhwc = xs.length === 4 && xs[1] * xs[2] > 1 && xs[3] > 1 ? transpose(x, [0, 2, 3, 1]) : x;
        emit('Flatten', [nhwc], [out], { axis: 1 });
        break;
      }
      case 'Reshape': {
        const to = (n.attrs as OpAttrs['Reshape']).shape;
        const trivial = (s: number[]) => s.length !== 4 || s[1] * s[2] === 1 || s[3] === 1;
        if (trivial(xs) && trivial(to)) reshape(x, toNchw(to), out);
        else {
          const src = xs.length === 4 ? transpose(x, [0, 2, 3, 1]) : x;
          if (to.length === 4) transpose(reshape(src, to), NHWC_TO_NCHW, out);
          else reshape(src, to, out);
        }
        break;
      }
      case 'FullyConnected': {
        const a = (n.attrs as OpAttrs['FullyConnected']).act;
        const w = constData(n, 1);
        const flat = xs.length === 4 ? fresh(`${out}/flatten`) : x;
        if (flat !== x) emit('Flatten', [x], [flat], { axis: 1 });
        const y = pre(n, a);
        emit('Gemm', [flat, init(n.inputs[1], w.shape, w.data), ...bias(2, w.shape[0])], [y], { transB: 1 });
        finish(n, y, a);
        break;
      }
      case 'Softmax':
        emit('Softmax', [x], [out], { axis: chanAxis(xs.length) });
        break;
      case 'Resize': {
        const a = n.attrs as OpAttrs['Resize'];
        const ctm = a.coord === 'legacy' ? 'asymmetric' : a.coord;
        const s = toNchw(xs);
        const sizes = ints(`${out}/sizes`, [s[0], s[1], a.size[0], a.size[1]]);
        const attrs: Record<string, Attr> = { mode: a.mode === 'bilinear' ? 'linear' : 'nearest', coordinate_transformation_mode: ctm };
        if (a.mode === 'nearest') attrs.nearest_mode = a.coord === 'legacy' ? 'floor' : 'round_prefer_ceil';
        emit('Resize', [x, '', '', sizes], [out], attrs);
        break;
      }
      case 'CReLU': {
        const a = (n.attrs as OpAttrs['CReLU']).act;
        const neg = fresh(`${out}/neg`);
        emit('Neg', [x], [neg]);
        const y = pre(n, a);
        emit('Concat', [x, neg], [y], { axis: chanAxis(xs.length) });
        finish(n, y, a);
        break;
      }
      case 'Pad': {
        const p = (n.attrs as OpAttrs['Pad']).pads;
        emit('Pad', [x, ints(`${out}/pads`, [0, 0, p[0], p[1], 0, 0, p[2], p[3]])], [out]);
        break;
      }
      default:
        throw new UnsupportedOpError(`exportOnnx: node '${n.name}' has op '${String(n.op)}', which the ONNX exporter does not write`);
    }
  }

  const info = (name: string): OnnxValueInfoProto => ({
    name,
    type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: toNchw(shape(name)).map((d) => ({ dim_value: d })) } } },
  });
  return encodeModel({
    ir_version: 8,
    opset_import: [{ domain: '', version: opset }],
    producer_name: options.producer ?? 'sepconv',
    graph: { name: graph.name, node: nodes, initializer: inits, input: graph.inputs.map((i) => info(i.name)), output: graph.outputs.map(info) },
  });
}
