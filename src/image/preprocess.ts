/**
 * Image preprocessing with TF.js semantics: the bilinear resize is the one of
 * `tf.image.resizeBilinear` (tfjs-backend-cpu), written from the same formulas as sepconv's kernel
 * reference (src/reference/resize.ts), so a model sees the input its TF.js library would give it.
 * Pure TypeScript, no Node APIs: usable in browsers too.
 */
import { ShapeError } from '../errors.js';
import { refSrcCoord, type RefCoordMode } from '../reference/resize.js';

/** An 8-bit RGB image: row-major, 3 bytes per pixel (R, G, B), no padding between rows. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** How a model wants its input: size [height, width], resize coordinate mode, value = rgb * scale + offset. */
export interface PreprocessSpec {
  size: [number, number];
  /**
   * `tf.image.resizeBilinear` coordinate mode: 'legacy' (alignCorners = false, halfPixelCenters =
   * false, the TF.js default), 'align_corners' (alignCorners = true) or 'half_pixel'
   * (halfPixelCenters = true).
   */
  coord: 'legacy' | 'align_corners' | 'half_pixel';
  scale: number;
  offset: number;
}

const COORD: Record<PreprocessSpec['coord'], RefCoordMode> = { legacy: 0, align_corners: 1, half_pixel: 2 };

function coordMode(coord: string): RefCoordMode {
  if (!Object.prototype.hasOwnProperty.call(COORD, coord)) {
    throw new ShapeError(`resize coordinate mode '${coord}' is not one of ${Object.keys(COORD).map((k) => `'${k}'`).join(', ')}`);
  }
  return COORD[coord as PreprocessSpec['coord']];
}

const isDim = (n: unknown): n is number => Number.isInteger(n) && (n as number) > 0;

function checkSize(what: string, h: number, w: number): void {
  if (!isDim(h) || !isDim(w)) throw new ShapeError(`${what}: size ${h}x${w} must be positive integers (height x width)`);
}

/** Per-axis source indices and fractions, computed once per output row / column as TF.js does. */
function axis(inSize: number, outSize: number, mode: RefCoordMode): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const f = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const s = refSrcCoord(o, inSize, outSize, mode);
    i0[o] = Math.max(0, Math.floor(s));
    i1[o] = Math.min(inSize - 1, Math.ceil(s));
    f[o] = s - i0[o];
  }
  return { i0, i1, f };
}

/**
 * NHWC [1, h, w, 3] float32 model input: TF.js-exact bilinear resize of the RGB values 0..255 to
 * `spec.size` (tf.image.resizeBilinear semantics for the three coordinate modes), then
 * `* scale + offset`. Reads the 8-bit pixels directly (no float copy of a large photo); the
 * arithmetic is that of `refResizeBilinear`, value for value.
 */
export function preprocess(img: RgbImage, spec: PreprocessSpec): Float32Array {
  const { width: inW, height: inH, data } = img;
  checkSize('preprocess: image', inH, inW);
  if (!(data instanceof Uint8Array) || data.length !== inW * inH * 3) {
    throw new ShapeError(`preprocess: image data has ${data?.length} bytes but ${inW}x${inH} RGB needs ${inW * inH * 3}`);
  }
  if (!Array.isArray(spec.size) || spec.size.length !== 2) throw new ShapeError('preprocess: spec.size must be [height, width]');
  const [outH, outW] = spec.size;
  checkSize('preprocess: spec', outH, outW);
  if (!Number.isFinite(spec.scale) || !Number.isFinite(spec.offset)) throw new ShapeError(`preprocess: scale ${spec.scale} and offset ${spec.offset} must be finite numbers`);
  const mode = coordMode(spec.coord);
  const ys = axis(inH, outH, mode);
  const xs = axis(inW, outW, mode);
  const y = new Float32Array(outH * outW * 3);
  const { scale, offset } = spec;
  for (let oy = 0, o = 0; oy < outH; oy++) {
    const r0 = ys.i0[oy] * inW;
    const r1 = ys.i1[oy] * inW;
    const fy = ys.f[oy];
    for (let ox = 0; ox < outW; ox++) {
      const c0 = xs.i0[ox];
      const c1 = xs.i1[ox];
      const fx = xs.f[ox];
      const tl0 = (r0 + c0) * 3;
      const tr0 = (r0 + c1) * 3;
      const bl0 = (r1 + c0) * 3;
      const br0 = (r1 + c1) * 3;
      for (let j = 0; j < 3; j++, o++) {
        const tl = data[tl0 + j];
        const tr = data[tr0 + j];
        const bl = data[bl0 + j];
        const br = data[br0 + j];
        const top = tl + (tr - tl) * fx;
        const bottom = bl + (br - bl) * fx;
        // TF.js stores the resized value as float32, then scales it (as the model's library does)
        y[o] = Math.fround(top + (bottom - top) * fy) * scale + offset;
      }
    }
  }
  return y;
}

/**
 * Bilinear resize of one float plane [h, w] to [outH, outW] (tf.image.resizeBilinear semantics),
 * e.g. a segmentation mask back to the photo's size.
 */
export function resizePlane(src: Float32Array, h: number, w: number, outH: number, outW: number, coord: PreprocessSpec['coord']): Float32Array {
  checkSize('resizePlane: input', h, w);
  checkSize('resizePlane: output', outH, outW);
  if (!(src instanceof Float32Array) || src.length !== h * w) {
    throw new ShapeError(`resizePlane: plane has ${src?.length} values but ${h}x${w} needs ${h * w}`);
  }
  // refResizeBilinear's arithmetic with the per-axis indices computed once (a large photo's mask)
  const mode = coordMode(coord);
  const ys = axis(h, outH, mode);
  const xs = axis(w, outW, mode);
  const y = new Float32Array(outH * outW);
  for (let oy = 0, o = 0; oy < outH; oy++) {
    const r0 = ys.i0[oy] * w;
    const r1 = ys.i1[oy] * w;
    const fy = ys.f[oy];
    for (let ox = 0; ox < outW; ox++, o++) {
      const c0 = xs.i0[ox];
      const c1 = xs.i1[ox];
      const fx = xs.f[ox];
      const tl = src[r0 + c0];
      const tr = src[r0 + c1];
      const bl = src[r1 + c0];
      const br = src[r1 + c1];
      const top = tl + (tr - tl) * fx;
      const bottom = bl + (br - bl) * fx;
      y[o] = top + (bottom - top) * fy;
    }
  }
  return y;
}
