// Runs in the browser against the built ESM entry (dist/) and the wasm next to it (build/):
// loads both kernel builds, runs kernels against their TypeScript references and posts a report.
import * as sepconv from '../../dist/index.js';

const { loadKernels, detectFeatures, Act, ops, reference, Session, buildZooModel, interpret } = sepconv;

function rand(n, seed) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 4294967296 - 0.5;
  }
  return a;
}

function relErr(got, want) {
  let maxRef = 0;
  let maxDiff = 0;
  for (let i = 0; i < want.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(want[i]));
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
  }
  return maxDiff / Math.max(maxRef, 1e-6);
}

async function kernelChecks(variant) {
  const k = await loadKernels({ variant });
  const out = { variant: k.variant };
  // pointwise conv 49 pixels, 33 -> 17 channels, relu6
  {
    const [m, n, kk] = [49, 17, 33];
    const a = rand(m * kk, 1), w = rand(n * kk, 2), b = rand(n, 3);
    const tile = ops.selectGemmTile({ m, n, k: kk });
    const nr = ops.gemmTileShape(tile)[1];
    const ap = k.arena.put(a), wp = k.arena.put(ops.packGemmWeights(w, b, n, kk, nr)), cp = k.arena.allocF32(m * n);
    ops.gemm(k, { m, n, k: kk, a: ap, w: wp, c: cp, act: Act.relu6, tile });
    const want = new Float32Array(m * n);
    reference.refGemm(m, n, kk, a, kk, w, b, want, n, Act.relu6);
    out.gemm = relErr(k.arena.read(cp, m * n), want);
  }
  // depthwise 3x3 stride 2 on 9x9x7, TF SAME padding
  {
    const [h, wd, c] = [9, 9, 7];
    const x = rand(h * wd * c, 4), w = rand(9 * c, 5), b = rand(c, 6);
    const xp = k.arena.put(x), wp = k.arena.put(ops.packDwconvWeights(w, b, c, 3, 3)), yp = k.arena.allocF32(5 * 5 * c);
    const args = { inH: h, inW: wd, c, x: xp, outH: 5, outW: 5, y: yp, w: wp, kh: 3, kw: 3, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, act: Act.hswish };
    ops.dwconv(k, args);
    const want = new Float32Array(5 * 5 * c);
    reference.refDwconv({ ...args, x, w, bias: b, y: want, xStride: c, yStride: c, dilationH: 1, dilationW: 1 });
    out.dwconv = relErr(k.arena.read(yp, 5 * 5 * c), want);
  }
  // a typed error instead of a trap
  try {
    ops.vunary(k, { rows: 1, cols: 4, x: 0, y: 0, act: Act.relu });
    out.error = 'no error';
  } catch (e) {
    out.error = `${e.name}: ${e.message}`;
  }
  return out;
}

/** A zoo model built in the page and a .sepconv fetched by URL, both through Session, vs the interpreter. */
async function sessionChecks() {
  const g = buildZooModel('mobilenet_v3_small', { width: 0.35, resolution: 96, classes: 10 });
  const x = rand(96 * 96 * 3, 7);
  const want = interpret(g, { input: x }).get('softmax');
  const s = await Session.create(g);
  const fromGraph = relErr((await s.run({ input: { data: x, shape: [1, 96, 96, 3] } })).softmax.data, want);
  const s2 = await Session.create(new URL('/build/browser-test-model.sepconv', location.href));
  const y = rand(64 * 64 * 3, 8);
  const out = await s2.run({ [s2.inputNames[0]]: { data: y, shape: s2.inputs[s2.inputNames[0]] } });
  return { fromGraph, fromUrl: { outputs: s2.outputNames, shape: out[s2.outputNames[0]].shape, steps: s2.plan.steps.length } };
}

const report = { features: detectFeatures(), userAgent: navigator.userAgent };
try {
  report.auto = (await loadKernels()).variant;
  report.simd = await kernelChecks('simd');
  if (report.features.relaxedSimd) report.relaxed = await kernelChecks('relaxed');
  report.session = await sessionChecks();
} catch (e) {
  report.failure = `${e.name}: ${e.message}\n${e.stack}`;
}
await fetch('/result', { method: 'POST', body: JSON.stringify(report) });
