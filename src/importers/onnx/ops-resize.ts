import type { OpAttrs } from '../../graph/ir.js';
import { refNearestIndex, refSrcCoord, type RefCoordMode } from '../../reference/resize.js';
import type { OnnxNodeProto } from './proto.js';
import { fmt, type OnnxConverter } from './converter.js';

/**
 * ONNX Resize / Upsample onto IR Resize. The IR resize has three coordinate modes (legacy =
 * ONNX 'asymmetric', 'align_corners', 'half_pixel') and, for nearest, TF's rounding (floor for
 * legacy, round-half-up otherwise). ONNX has more modes and four nearest roundings; rather than
 * map names, the importer computes, per axis, the source pixels (nearest) or the clamped source
 * coordinates (linear) the ONNX node reads for this input / output size, and picks the IR mode
 * that reads exactly the same. No such mode: UnsupportedOpError naming the modes.
 */
export const RESIZE_OPS = ['Resize', 'Upsample'] as const;

type Coord = OpAttrs['Resize']['coord'];
const IR_COORDS: Record<Coord, RefCoordMode> = { legacy: 0, align_corners: 1, half_pixel: 2 };
/** The IR mode to try first for an ONNX coordinate_transformation_mode. */
const PREFERRED: Record<string, Coord> = { asymmetric: 'legacy', align_corners: 'align_corners', half_pixel: 'half_pixel', pytorch_half_pixel: 'half_pixel', tf_half_pixel_for_nn: 'half_pixel' };

/** ONNX source coordinate of output index o (scale = the scale ONNX uses: given, or out / in). */
function onnxCoord(mode: string, o: number, inS: number, outS: number, scale: number): number {
  switch (mode) {
    case 'half_pixel': return (o + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel': return outS > 1 ? (o + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return outS === 1 ? 0 : (o * (inS - 1)) / (outS - 1);
    case 'asymmetric': return o / scale;
    case 'tf_half_pixel_for_nn': return (o + 0.5) / scale;
    default: return NaN;
  }
}

function onnxNearest(rounding: string, x: number): number {
  const f = Math.floor(x);
  switch (rounding) {
    case 'floor': return f;
    case 'ceil': return Math.ceil(x);
    case 'round_prefer_floor': return x - f === 0.5 ? f : Math.round(x);
    default: return x - f === 0.5 ? f + 1 : Math.round(x); // round_prefer_ceil
  }
}

const IR_ROUNDING = (m: RefCoordMode) => (m === 0 ? 0 : 3) as 0 | 3;

export function convertResize(cv: OnnxConverter, n: OnnxNodeProto): boolean {
  if (n.op_type !== 'Resize' && n.op_type !== 'Upsample') return false;
  const x = cv.tensor(n, 0);
  if (x.shape.length !== 4) cv.unsupported(n, `input of shape ${fmt(x.shape)} (sepconv resizes 4-D NCHW tensors)`);
  const [N, C, H, W] = x.shape;
  const isUpsample = n.op_type === 'Upsample';
  const rawMode = cv.str(n, 'mode', 'nearest');
  const mode = rawMode === 'bilinear' ? 'linear' : rawMode;
  if (mode !== 'nearest' && mode !== 'linear') cv.unsupported(n, `mode '${rawMode}' (supported: nearest, linear)`);
  const ctm = isUpsample || cv.opset < 11 ? 'asymmetric' : cv.str(n, 'coordinate_transformation_mode', 'half_pixel');
  if (!(ctm in PREFERRED)) cv.unsupported(n, `coordinate_transformation_mode '${ctm}' (supported: ${Object.keys(PREFERRED).join(', ')})`);
  if (ctm === 'tf_half_pixel_for_nn' && mode !== 'nearest') cv.unsupported(n, `coordinate_transformation_mode '${ctm}' with mode '${mode}'`);
  // Upsample and opset-10 Resize: nearest reads floor(o / scale)
  const rounding = isUpsample || cv.opset < 11 ? 'floor' : cv.str(n, 'nearest_mode', 'round_prefer_floor');
  if (!['floor', 'ceil', 'round_prefer_floor', 'round_prefer_ceil'].includes(rounding)) cv.unsupported(n, `nearest_mode '${rounding}'`);
  if (cv.int(n, 'antialias', 0) !== 0) cv.unsupported(n, 'antialias = 1');
  const policy = cv.str(n, 'keep_aspect_ratio_policy', 'stretch');
  if (policy !== 'stretch') cv.unsupported(n, `keep_aspect_ratio_policy '${policy}' (supported: stretch)`);
  const axes = cv.ints(n, 'axes', [0, 1, 2, 3]).map((a) => (a < 0 ? a + 4 : a));

  // scales (per ONNX axis) and output size
  let scales: number[] | null = null;
  let sizes: number[] | null = null;
  const expand = (v: number[], fill: number) => {
    const full = [fill, fill, fill, fill];
    axes.forEach((a, i) => (full[a] = v[i]));
    return full;
  };
  if (isUpsample) {
    scales = cv.opset >= 9 ? cv.intsIn(n, 1, 'scales') : (cv.attr(n, 'scales')?.floats ?? null);
  } else {
    const si = cv.opset >= 11 ? 2 : 1;
    if (cv.has(n, si)) {
      const s = cv.intsIn(n, si, 'scales');
      if (s.length > 0) scales = s;
    }
    if (cv.opset >= 11 && cv.has(n, 3)) {
      const s = cv.intsIn(n, 3, 'sizes');
      if (s.length > 0) sizes = s;
    }
  }
  if (scales) scales = expand(scales, 1);
  if (sizes) sizes = expand(sizes, 0).map((v, i) => (axes.includes(i) ? v : x.shape[i]));
  if (!scales && !sizes) cv.formatError(n, 'neither scales nor sizes are given');
  const out = sizes ?? x.shape.map((d, i) => Math.floor(d * scales![i]));
  if (scales && scales.length !== 4) cv.formatError(n, `scales [${scales.join(',')}] for a rank-4 input`);
  if (out[0] !== N || out[1] !== C) cv.unsupported(n, `resizing the batch or channel axis (output ${fmt(out)} from ${fmt(x.shape)})`);
  if (out[2] < 1 || out[3] < 1) cv.formatError(n, `output size ${fmt(out)} is empty`);
  const scaleOf = (ax: number) => (scales ? scales[ax] : out[ax] / x.shape[ax]);

  // the source pixels / coordinates the ONNX node reads, per spatial axis
  const reads = (ax: 2 | 3, coordOf: (o: number) => number): number[] => {
    const inS = x.shape[ax];
    const r: number[] = [];
    for (let o = 0; o < out[ax]; o++) {
      const c = coordOf(o);
      r.push(mode === 'nearest' ? Math.min(inS - 1, Math.max(0, onnxNearest(rounding, c))) : Math.min(inS - 1, Math.max(0, c)));
    }
    return r;
  };
  const want = ([2, 3] as const).map((ax) => reads(ax, (o) => onnxCoord(ctm, o, x.shape[ax], out[ax], scaleOf(ax))));
  const irReads = (coord: Coord, ax: 2 | 3) => {
    const m = IR_COORDS[coord];
    const inS = x.shape[ax];
    return mode === 'nearest'
      ? Array.from({ length: out[ax] }, (_, o) => refNearestIndex(o, inS, out[ax], m, IR_ROUNDING(m)))
      : reads(ax, (o) => refSrcCoord(o, inS, out[ax], m));
  };
  const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]) <= 1e-6 * Math.max(1, Math.abs(v)));
  const order: Coord[] = [PREFERRED[ctm], ...(['half_pixel', 'align_corners', 'legacy'] as Coord[]).filter((c) => c !== PREFERRED[ctm])];
  const coord = order.find((c) => close(irReads(c, 2), want[0]) && close(irReads(c, 3), want[1]));
  if (!coord) {
    cv.unsupported(
      n,
      `mode '${mode}' with coordinate_transformation_mode '${ctm}'${mode === 'nearest' ? ` and nearest_mode '${rounding}'` : ''} from ${H}x${W} to ${out[2]}x${out[3]}` +
        `${scales ? ` (scales ${scales.slice(2).join(', ')})` : ''}: no sepconv resize mode reads the same source ${mode === 'nearest' ? 'pixels' : 'coordinates'} ` +
        `(sepconv: half_pixel / align_corners with round-half-up, asymmetric with floor)`,
    );
  }
  const y = cv.b.node('Resize', cv.outName(n), [x.t], { size: [out[2], out[3]], mode: mode === 'linear' ? 'bilinear' : 'nearest', coord })[0];
  cv.setTensor(n, y);
  return true;
}
