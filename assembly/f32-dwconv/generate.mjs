// Generates the specialised f32-dwconv-<K>x<K>[s<S>]-x4 kernels (AssemblyScript has no macros;
// every kernel is the same code with a different kernel size K and horizontal stride S).
// Run: node assembly/f32-dwconv/generate.mjs. The generated files are committed; edit this
// script, not them.
import { writeFileSync } from 'node:fs';

const KERNELS = [
  [3, 1],
  [3, 2],
  [5, 1],
  [5, 2],
];
/** Output pixels per group (along W). */
const NP = Number(process.env.DW_NP ?? 4);

const dir = new URL('./', import.meta.url);
const range = (n) => [...Array(n).keys()];
const ind = (n) => '  '.repeat(n);

/** Channel blocks per step of the pair loop (2 x NP accumulators = 8 independent FMA chains). */
const NB = Number(process.env.DW_NB ?? 1);
/** Fully unrolled kernel rows for groups that see all K rows (measured slower on V8/x64: off). */
const FULL = process.env.DW_FULL === '1';

/** The epilogue of `nblk` blocks: act(acc) for NP pixels each, stored (all lanes or n lanes). */
function epilogue(L, d, masked, nblk) {
  const accs = [];
  for (const b of range(nblk)) for (const j of range(NP)) accs.push(`a${b}${j}`);
  L.push(`${ind(d)}if (act <= 2) {`);
  for (const b of range(nblk)) L.push(`${ind(d + 1)}${range(NP).map((j) => `a${b}${j} = f32x4.min(f32x4.max(a${b}${j}, lo), hi);`).join(' ')}`);
  L.push(`${ind(d)}} else {`);
  for (const b of range(nblk)) L.push(`${ind(d + 1)}${range(NP).map((j) => `a${b}${j} = applyAct(a${b}${j}, act);`).join(' ')}`);
  L.push(`${ind(d)}}`);
  L.push(`${ind(d)}const q0 = yp + (<usize>cb << 4);`);
  for (const j of range(NP).slice(1)) L.push(`${ind(d)}const q${j} = q${j - 1} + ys4;`);
  L.push(`${ind(d)}const n = c - (cb << 2) - ${4 * (nblk - 1)};`);
  // All blocks but the last are full (a later block exists); the last may be a channel tail.
  const last = nblk - 1;
  for (const j of range(NP)) {
    const st = [];
    for (const b of range(nblk - 1)) st.push(`v128.store(q${j}, a${b}${j}${b ? `, ${16 * b}` : ''});`);
    st.push(last ? `storeLanes(q${j} + ${16 * last}, a${last}${j}, n);` : `storeLanes(q${j}, a${last}${j}, n);`);
    const guard = masked && j > 0 ? `if (np > ${j}) ` : '';
    L.push(`${ind(d)}${guard}${st.length > 1 ? `{ ${st.join(' ')} }` : st[0]}`);
  }
}

/** One step of `nblk` channel blocks starting at block cb (the loop body). */
function step(L, K, S, dil, masked, nblk, d, full) {
  const BB = (1 + K * K) * 16;
  L.push(`${ind(d)}const wb = w + <usize>cb * ${BB};`);
  for (const b of range(nblk)) {
    L.push(`${ind(d)}let a${b}0 = v128.load(wb${b ? `, ${BB * b}` : ''}); ${range(NP).slice(1).map((j) => `let a${b}${j} = a${b}0;`).join(' ')}`);
  }
  L.push(`${ind(d)}let rp = xp + (<usize>cb << 4);`);
  if (!full) {
    L.push(`${ind(d)}let wk = wb + 16 + <usize>ky0 * ${K * 16};`);
    L.push(`${ind(d)}for (let ky = ky0; ky < ky1; ky++) {`);
  }
  const e = ind(d + 1);
  for (const ky of full ? range(K) : [0]) {
  const wkBase = full ? 16 + 16 * K * ky : 0;
  const wkName = full ? 'wb' : 'wk';
  for (const b of range(nblk)) {
    const off = (extra) => (extra + 16 * b ? `, ${extra + 16 * b}` : '');
    const woff = (kx) => (BB * b + 16 * kx + wkBase ? `, ${BB * b + 16 * kx + wkBase}` : '');
    L.push(`${e}{`);
    if (!dil) {
      for (const kx of range(K)) L.push(`${e}  const w${kx} = v128.load(${wkName}${woff(kx)});`);
      L.push(`${e}  let p = rp;`);
      L.push(`${e}  let v: v128;`);
      const ncol = (NP - 1) * S + K;
      for (const col of range(ncol)) {
        if (masked) L.push(`${e}  v = f32x4.splat(0); if (cm & ${1 << col}) v = v128.load(p${off(0)});`);
        else L.push(`${e}  v = v128.load(p${off(0)});`);
        const uses = [];
        for (const j of range(NP)) {
          const kx = col - S * j;
          if (kx >= 0 && kx < K) uses.push(`a${b}${j} = fmadd(v, w${kx}, a${b}${j});`);
        }
        L.push(`${e}  ${uses.join(' ')}`);
        if (col + 1 < ncol) L.push(`${e}  p += xs4;`);
      }
    } else {
      L.push(`${e}  let pk = rp;`);
      for (const kx of range(K)) {
        L.push(`${e}  {`);
        L.push(`${e}    const wv = v128.load(${wkName}${woff(kx)});`);
        L.push(`${e}    let p = pk;`);
        for (const j of range(NP)) {
          const bit = 1 << (j * K + kx);
          if (masked) L.push(`${e}    if (cm & ${bit}) a${b}${j} = fmadd(v128.load(p${off(0)}), wv, a${b}${j});`);
          else L.push(`${e}    a${b}${j} = fmadd(v128.load(p${off(0)}), wv, a${b}${j});`);
          if (j + 1 < NP) L.push(`${e}    p += sx;`);
        }
        L.push(`${e}  }`);
        if (kx + 1 < K) L.push(`${e}  pk += dwCol;`);
      }
    }
    L.push(`${e}}`);
  }
  if (!full) {
    L.push(`${e}rp += dhRow;`);
    L.push(`${e}wk += ${K * 16};`);
    L.push(`${ind(d)}}`);
  } else if (ky + 1 < K) {
    L.push(`${e}rp += dhRow;`);
  }
  }
  epilogue(L, d, masked, nblk);
}

/**
 * Group function: NP output pixels of one output row, channel blocks [cb0, cb1) (NB at a time,
 * then a single one), kernel rows [ky0, ky1). xp points at input pixel (row of tap ky0, column
 * bx = first pixel's column).
 * dil: false = dilation 1 (input columns shared between pixels, each loaded once);
 *      true  = any horizontal dilation (one load per pixel per tap).
 * masked: input columns outside the row are skipped (bit set in cm = column valid), only the
 *      first np pixels are stored.
 */
function group(K, S, dil, masked, full = false) {
  const name = `g${K}s${S}${dil ? 'dn' : 'd1'}${masked ? 'm' : ''}${full ? 'f' : ''}`;
  const L = [];
  const extra = masked ? ', cm: i32, np: i32' : '';
  const dilArg = dil ? ', dwCol: usize' : '';
  L.push(`function ${name}(xp: usize, xs4: usize, dhRow: usize${dilArg}, yp: usize, ys4: usize, w: usize, ky0: i32, ky1: i32, cb0: i32, cb1: i32, c: i32, act: i32${extra}): void {`);
  L.push(`  const lo = actLo(act);`);
  L.push(`  const hi = actHi(act);`);
  if (dil) L.push(`  const sx: usize = ${S === 1 ? 'xs4' : `xs4 * ${S}`};`);
  L.push(`  let cb = cb0;`);
  L.push(`  for (; cb + ${NB} <= cb1; cb += ${NB}) {`);
  step(L, K, S, dil, masked, NB, 2, full);
  L.push(`  }`);
  if (NB > 1) {
    L.push(`  if (cb < cb1) {`);
    step(L, K, S, dil, masked, 1, 2, full);
    L.push(`  }`);
  }
  L.push(`}`);
  return { name, code: L.join('\n') };
}

function kernel(K, S) {
  const name = `f32-dwconv-${K}x${K}${S === 1 ? '' : `s${S}`}-x4`;
  const fn = name.replace(/-/g, '_');
  const gs = [group(K, S, false, false), group(K, S, false, true), group(K, S, true, false), group(K, S, true, true), ...(FULL ? [group(K, S, false, false, true)] : [])];
  const ncol = (NP - 1) * S + K;
  const L = [];
  L.push(`// GENERATED by assembly/f32-dwconv/generate.mjs - do not edit by hand.`);
  L.push(`import { applyAct, fmadd, storeLanes } from "../common/simd";`);
  L.push(`import { actHi, actLo, CHUNK_BLOCKS, tapRange0, tapRange1 } from "./dwconv-common";`);
  L.push('');
  for (const g of gs) L.push(g.code, '');
  L.push(`/**`);
  L.push(` * ${name}: depthwise ${K}x${K} convolution, NHWC, channel multiplier 1, horizontal stride ${S}`);
  L.push(` * (strideW must be ${S}; strideH, dilations and paddings are free). For oy < outH, ox < outW, ch < c:`);
  L.push(` *   y[oy][ox][ch] = act(bias[ch] + sum_{ky,kx} x[oy*strideH - padTop + ky*dilationH]`);
  L.push(` *                                              [ox*${S} - padLeft + kx*dilationW][ch] * w[ky][kx][ch])`);
  L.push(` * where input pixels outside [0, inH) x [0, inW) read as zero (bottom/right padding is implied by`);
  L.push(` * outH/outW). x and y are pixel-strided (xStride/yStride floats per pixel, rows of inW/outW pixels).`);
  L.push(` * w: packDwconvWeights(.., kh = kw = ${K}): per 4-channel block bias[4] then ${K * K} taps of 4.`);
  L.push(` * ${NP} output pixels per step, channel blocks innermost (in chunks of CHUNK_BLOCKS so the weights`);
  L.push(` * stay in L1); groups touching the left/right border use a column-masked variant.`);
  L.push(` * Writes only channels [0, c) of each output pixel; reads at most 12 bytes past a pixel's c floats.`);
  L.push(` */`);
  L.push(`export function ${fn}(inH: i32, inW: i32, c: i32, x: usize, xStride: i32, outH: i32, outW: i32, y: usize, yStride: i32, w: usize,`);
  L.push(`  padTop: i32, padLeft: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, act: i32): void {`);
  L.push(`  const xs4 = <usize>xStride << 2;`);
  L.push(`  const ys4 = <usize>yStride << 2;`);
  L.push(`  const yRow = <usize>outW * ys4;`);
  L.push(`  const dhRow = <usize>dilationH * <usize>inW * xs4;`);
  L.push(`  const dwCol = <usize>dilationW * xs4;`);
  L.push(`  const nb = (c + 3) >> 2;`);
  L.push(`  // Groups of ${NP} pixels starting at ox in [oxL, oxR - ${NP}] see only input columns inside the row.`);
  L.push(`  let oxL = (padLeft + ${S - 1}) / ${S};`);
  L.push(`  if (oxL > outW) oxL = outW;`);
  L.push(`  let oxR = inW - 1 - ${K - 1} * dilationW + padLeft;`);
  L.push(`  oxR = oxR < 0 ? 0 : oxR / ${S} + 1;`);
  L.push(`  if (oxR > outW) oxR = outW;`);
  L.push(`  if (oxR < oxL) oxR = oxL;`);
  L.push(`  for (let oy = 0; oy < outH; oy++) {`);
  L.push(`    const iy0 = oy * strideH - padTop;`);
  L.push(`    const ky0 = tapRange0(iy0, dilationH);`);
  L.push(`    const ky1 = tapRange1(iy0, dilationH, inH, ${K}, ky0);`);
  L.push(`    const row = iy0 + ky0 * dilationH;`);
  L.push(`    const yr = y + <usize>oy * yRow;`);
  L.push(`    for (let cb0 = 0; cb0 < nb; cb0 += CHUNK_BLOCKS) {`);
  L.push(`      const cb1 = nb - cb0 > CHUNK_BLOCKS ? cb0 + CHUNK_BLOCKS : nb;`);
  L.push(`      for (let ox = 0; ox < outW; ox += ${NP}) {`);
  L.push(`        const bx = ox * ${S} - padLeft;`);
  L.push(`        const xp = x + <usize>(row * inW + bx) * xs4;`);
  L.push(`        const yp = yr + <usize>ox * ys4;`);
  L.push(`        if (ox >= oxL && ox + ${NP} <= oxR) {`);
  L.push(`          if (dilationW == 1) {`);
  if (FULL) L.push(`            if (ky1 - ky0 == ${K}) ${gs[4].name}(xp, xs4, dhRow, yp, ys4, w, ky0, ky1, cb0, cb1, c, act); else`);
  L.push(`            ${gs[0].name}(xp, xs4, dhRow, yp, ys4, w, ky0, ky1, cb0, cb1, c, act);`);
  L.push(`          }`);
  L.push(`          else ${gs[2].name}(xp, xs4, dhRow, dwCol, yp, ys4, w, ky0, ky1, cb0, cb1, c, act);`);
  L.push(`        } else {`);
  L.push(`          const np = outW - ox > ${NP} ? ${NP} : outW - ox;`);
  L.push(`          let cm = 0;`);
  L.push(`          if (dilationW == 1) {`);
  L.push(`            for (let i = 0; i < ${ncol}; i++) if (<u32>(bx + i) < <u32>inW) cm |= 1 << i;`);
  L.push(`            ${gs[1].name}(xp, xs4, dhRow, yp, ys4, w, ky0, ky1, cb0, cb1, c, act, cm, np);`);
  L.push(`          } else {`);
  L.push(`            for (let j = 0; j < ${NP}; j++) for (let kx = 0; kx < ${K}; kx++) if (<u32>(bx + j * ${S} + kx * dilationW) < <u32>inW) cm |= 1 << (j * ${K} + kx);`);
  L.push(`            ${gs[3].name}(xp, xs4, dhRow, dwCol, yp, ys4, w, ky0, ky1, cb0, cb1, c, act, cm, np);`);
  L.push(`          }`);
  L.push(`        }`);
  L.push(`      }`);
  L.push(`    }`);
  L.push(`  }`);
  L.push(`}`);
  L.push('');
  writeFileSync(new URL(`${name}.ts`, dir), L.join('\n'));
  return name;
}

const names = KERNELS.map(([k, s]) => kernel(k, s));
const index = [
  '// kernels of this folder are re-exported here',
  ...names.map((n) => `export * from "./${n}";`),
  'export * from "./f32-dwconv-kxk-x4";',
  '',
];
writeFileSync(new URL('index.ts', dir), index.join('\n'));
console.log(`wrote ${names.join(', ')} and index.ts`);
