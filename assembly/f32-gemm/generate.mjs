// Generates the f32-gemm-<MR>x<NR>.ts tiles (AssemblyScript has no macros, and every tile is
// the same code with a different register block). Run: node assembly/f32-gemm/generate.mjs
// The generated files are committed; edit this script, not them.
//
// Design notes (measured on x86 V8, Node 20; see src/kernels/gemm.ts for the tile choice):
// - V8 hoists every load of a K step (weight vectors and input broadcasts) before the FMAs, so a
//   tile needs MR*V accumulators + V weight + MR input registers; x86 has 15 allocatable xmm
//   registers, so (MR+1)(V+1) <= 16 runs spill-free: 2x16 (14), 3x12 (15), 4x8 (14).
// - V8 unrolls the K loop itself; unrolling it by hand made it spill (about -25%).
// - The pixel loop lives in the microkernel (one call per panel and pixel block) and the epilogue
//   for full-width tiles and the common activations is inline; other cases call storeVec.
import { writeFileSync, readdirSync, unlinkSync } from 'node:fs';

/** [MR, NR]: pixels x output channels. */
const TILES = [
  [1, 16], [2, 16], [3, 16], [4, 16], [3, 12], [2, 8], [4, 8], [5, 8], [6, 8], [8, 8],
];

const dir = new URL('./', import.meta.url);
const range = (n) => [...Array(n).keys()];

/**
 * Microkernel: `rows` pixels x (4*v) channels of one weight panel whose rows are `wRow` floats
 * wide, MR pixels at a time.
 */
function ukernel(mr, v, wRow) {
  const nrv = 4 * v;
  const name = `ukernel_${mr}x${nrv}${wRow !== nrv ? `w${wRow}` : ''}`;
  const L = [];
  L.push(`// ${mr} pixels x ${nrv} channels per step: ${mr * v} accumulators, ${v} weight vectors, ${mr} broadcast inputs.`);
  L.push(`function ${name}(rows: i32, nc: i32, k: i32, a: usize, aStride: i32, w: usize, c: usize, cStride: i32, act: i32, r: usize, rStride: i32): void {`);
  L.push(`  const as = <usize>aStride << 2;`);
  L.push(`  const cs = <usize>cStride << 2;`);
  L.push(`  const rs = <usize>rStride << 2;`);
  L.push(`  const kb = <usize>k << 2;`);
  L.push(`  for (let i = 0; i < rows; i += ${mr}) {`);
  if (mr > 1) L.push(`    const mr = rows - i; // pixels left; rows past mr reuse the previous input (computed, not stored)`);
  L.push(`    let a0 = a;`);
  for (const i of range(mr).slice(1)) L.push(`    let a${i} = a${i - 1}; if (mr > ${i}) a${i} += as;`);
  for (const j of range(v)) L.push(`    let c0${j} = v128.load(w${j ? `, ${16 * j}` : ''});`);
  for (const i of range(mr).slice(1)) L.push(`    ${range(v).map((j) => `let c${i}${j} = c0${j};`).join(' ')}`);
  L.push(`    let wp = w + ${4 * wRow};`);
  L.push(`    const aEnd = a0 + kb;`);
  L.push(`    while (a0 < aEnd) {`);
  for (const j of range(v)) L.push(`      const w${j} = v128.load(wp${j ? `, ${16 * j}` : ''});`);
  for (const i of range(mr)) {
    L.push(`      const x${i} = v128.load32_splat(a${i});`);
    L.push(`      ${range(v).map((j) => `c${i}${j} = fmadd(x${i}, w${j}, c${i}${j});`).join(' ')}`);
  }
  L.push(`      ${range(mr).map((i) => `a${i} += 4;`).join(' ')} wp += ${4 * wRow};`);
  L.push(`    }`);
  const accs = range(mr).flatMap((i) => range(v).map((j) => `c${i}${j}`));
  const all = (ind, f) => {
    for (let q = 0; q < accs.length; q += 4) L.push(`${ind}${accs.slice(q, q + 4).map(f).join(' ')}`);
  };
  const rowGuard = (i, body) => (i === 0 ? body : `if (mr > ${i}) { ${body} }`);
  // Fast path: every channel of the tile is live and act is linear / relu / relu6 / hswish.
  L.push(`    if (nc >= ${nrv} && act <= ACT_HSWISH) {`);
  L.push(`      if (r != 0) {`);
  for (const i of range(mr)) {
    L.push(`        ${rowGuard(i, range(v).map((j) => `c${i}${j} = f32x4.add(c${i}${j}, v128.load(r${i ? ` + ${i} * rs` : ''}${j ? `, ${16 * j}` : ''}));`).join(' '))}`);
  }
  L.push(`      }`);
  L.push(`      if (act == ACT_RELU || act == ACT_RELU6) {`);
  L.push(`        const zero = f32x4.splat(0);`);
  all('        ', (x) => `${x} = f32x4.max(${x}, zero);`);
  L.push(`        if (act == ACT_RELU6) {`);
  L.push(`          const six = f32x4.splat(6);`);
  all('          ', (x) => `${x} = f32x4.min(${x}, six);`);
  L.push(`        }`);
  L.push(`      } else if (act == ACT_HSWISH) {`);
  all('        ', (x) => `${x} = hswish(${x});`);
  L.push(`      }`);
  for (const i of range(mr)) {
    L.push(`      ${rowGuard(i, range(v).map((j) => `v128.store(c${i ? ` + ${i} * cs` : ''}, c${i}${j}${j ? `, ${16 * j}` : ''});`).join(' '))}`);
  }
  L.push(`    } else {`);
  for (const i of range(mr)) {
    const cp = i ? `c + ${i} * cs` : 'c';
    const rp = i ? `r + ${i} * rs` : 'r';
    const body = range(v).map((j) => (j === 0
      ? `storeVec(${cp}, c${i}0, ${i ? `r != 0 ? ${rp} : 0` : 'r'}, act, nc);`
      : `if (nc > ${4 * j}) storeVec(${cp} + ${16 * j}, c${i}${j}, r != 0 ? ${rp} + ${16 * j} : 0, act, nc - ${4 * j});`)).join(' ');
    L.push(`      ${rowGuard(i, body)}`);
  }
  L.push(`    }`);
  L.push(`    a += ${mr} * as;`);
  L.push(`    c += ${mr} * cs;`);
  L.push(`    if (r != 0) r += ${mr} * rs;`);
  L.push(`  }`);
  L.push(`}`);
  return { name, v, code: L.join('\n') };
}

function tile(mr, nr) {
  const V = nr / 4;
  // Full-width microkernel plus narrower ones for a last panel with <= 4*v live channels
  // (no FMAs on the zero padding: n = 24 on 16-wide panels runs 16 + 8).
  const uks = range(V).map((q) => ukernel(mr, V - q, nr));
  const name = `f32-gemm-${mr}x${nr}`;
  const fn = name.replace(/-/g, '_');
  const L = [];
  L.push(`// GENERATED by assembly/f32-gemm/generate.mjs - do not edit by hand.`);
  L.push(`import { ACT_HSWISH, ACT_RELU, ACT_RELU6, fmadd } from "../common/simd";`);
  L.push(`import { blockRows, hswish, storeVec } from "./epilogue";`);
  L.push('');
  L.push(`/**`);
  L.push(` * ${name}: c[i][j] = act(sum_p a[i][p] * W[j][p] + bias[j] + r[i][j]) for i < m, j < n.`);
  L.push(` * Pointwise (1x1) convolution over NHWC pixels: m pixels, k input channels, n output channels.`);
  L.push(` * a, c, r are strided rows (aStride, cStride, rStride floats per pixel); r == 0: no residual.`);
  L.push(` * w: weights packed by packGemmWeights(..., nr = ${nr}): panels of ${nr} channels, each bias[${nr}]`);
  L.push(` * then k rows of ${nr} weights. ${mr} pixels x ${nr} channels per step (${mr * V} accumulators); pixel`);
  L.push(` * blocks of blockRows() rows, each swept by every panel in turn.${V > 1 ? ' A last panel with few live' : ''}`);
  if (V > 1) L.push(` * channels runs a narrower microkernel (no FMAs on the padding).`);
  L.push(` * Writes only channels [0, n) of each output row; reads a, r at most 12 bytes past their ends.`);
  L.push(` */`);
  L.push(`export function ${fn}(m: i32, n: i32, k: i32, a: usize, aStride: i32, w: usize, c: usize, cStride: i32, act: i32, r: usize, rStride: i32): void {`);
  L.push(`  const panel = <usize>(k + 1) * ${4 * nr};`);
  L.push(`  const mc = blockRows(k, n, ${mr});`);
  L.push(`  for (let m0 = 0; m0 < m; m0 += mc) {`);
  L.push(`    const m1 = min(m, m0 + mc);`);
  L.push(`    let wp = w;`);
  L.push(`    for (let n0 = 0; n0 < n; n0 += ${nr}) {`);
  L.push(`      const nc = min(${nr}, n - n0);`);
  L.push(`      const ai = a + (<usize>(m0 * aStride) << 2);`);
  L.push(`      const ci = c + (<usize>(m0 * cStride + n0) << 2);`);
  L.push(`      const ri = r != 0 ? r + (<usize>(m0 * rStride + n0) << 2) : 0;`);
  const args = `(m1 - m0, nc, k, ai, aStride, wp, ci, cStride, act, ri, rStride);`;
  uks.forEach((u, q) => {
    if (q === uks.length - 1) L.push(`      ${q ? 'else ' : ''}${u.name}${args}`);
    else L.push(`      ${q ? 'else ' : ''}if (nc > ${4 * (u.v - 1)}) ${u.name}${args}`);
  });
  L.push(`      wp += panel;`);
  L.push(`    }`);
  L.push(`  }`);
  L.push(`}`);
  for (const u of uks) {
    L.push('');
    L.push(u.code);
  }
  L.push('');
  writeFileSync(new URL(`${name}.ts`, dir), L.join('\n'));
  return name;
}

for (const f of readdirSync(dir)) if (/^f32-gemm-\d+x\d+\.ts$/.test(f)) unlinkSync(new URL(f, dir));
const names = TILES.map(([mr, nr]) => tile(mr, nr));
writeFileSync(
  new URL('index.ts', dir),
  `// kernels of this folder are re-exported here (generated by generate.mjs)\n${names.map((n) => `export * from "./${n}";`).join('\n')}\n`,
);
console.log(`wrote ${names.join(', ')}`);
