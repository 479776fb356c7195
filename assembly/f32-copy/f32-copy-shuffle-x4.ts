/**
 * f32-copy-shuffle-x4: ShuffleNet channel shuffle. Per pixel the c = groups * cpg input channels,
 * viewed as [groups][cpg], are written as [cpg][groups]:
 *   y[p][i*groups + g] = x[p][g*cpg + i]
 * Pixel strides in floats. SIMD paths for groups 2, 3 and multiples of 4 (4x4 transposes) over
 * blocks of 4 channels per group; other group counts and the cpg % 4 tail are scalar.
 * Output and input must not overlap (checked by the host).
 */
export function f32_copy_shuffle_x4(pixels: i32, groups: i32, cpg: i32, x: usize, xStride: i32, y: usize, yStride: i32): void {
  const gs = <usize>cpg << 2; // bytes between groups in x
  const simd = groups == 2 || groups == 3 || (groups & 3) == 0;
  const iEnd = simd ? cpg & ~3 : 0;
  for (let p = 0; p < pixels; p++) {
    const xp = x + (<usize>(p * xStride) << 2);
    const yp = y + (<usize>(p * yStride) << 2);
    if (groups == 2) {
      for (let i = 0; i < iEnd; i += 4) {
        const xi = xp + (<usize>i << 2);
        const a = v128.load(xi);
        const b = v128.load(xi + gs);
        const yo = yp + (<usize>(i * 2) << 2);
        v128.store(yo, v128.shuffle<f32>(a, b, 0, 4, 1, 5));
        v128.store(yo, v128.shuffle<f32>(a, b, 2, 6, 3, 7), 16);
      }
    } else if (groups == 3) {
      for (let i = 0; i < iEnd; i += 4) {
        const xi = xp + (<usize>i << 2);
        const a = v128.load(xi);
        const b = v128.load(xi + gs);
        const c = v128.load(xi + gs + gs);
        const yo = yp + (<usize>(i * 3) << 2);
        // [a0 b0 c0 a1] [b1 c1 a2 b2] [c2 a3 b3 c3]
        const t = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
        v128.store(yo, v128.shuffle<f32>(t, c, 0, 1, 4, 2));
        const u = v128.shuffle<f32>(b, c, 1, 5, 2, 6);
        v128.store(yo, v128.shuffle<f32>(u, a, 0, 1, 6, 2), 16);
        const w = v128.shuffle<f32>(a, b, 3, 7, 3, 7);
        v128.store(yo, v128.shuffle<f32>(c, w, 2, 4, 5, 3), 32);
      }
    } else if ((groups & 3) == 0) {
      const rowBytes = <usize>groups << 2; // bytes between consecutive i in y
      for (let i = 0; i < iEnd; i += 4) {
        const yi = yp + (<usize>(i * groups) << 2);
        for (let q = 0; q < groups; q += 4) {
          const xq = xp + (<usize>(q * cpg + i) << 2);
          const v0 = v128.load(xq);
          const v1 = v128.load(xq + gs);
          const v2 = v128.load(xq + 2 * gs);
          const v3 = v128.load(xq + 3 * gs);
          const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
          const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
          const yq = yi + (<usize>q << 2);
          v128.store(yq, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(yq + rowBytes, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
          v128.store(yq + 2 * rowBytes, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
          v128.store(yq + 3 * rowBytes, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
        }
      }
    }
    // scalar: every channel of other group counts, and the cpg % 4 tail of the SIMD paths
    for (let i = iEnd; i < cpg; i++) {
      const yi = yp + (<usize>(i * groups) << 2);
      const xi = xp + (<usize>i << 2);
      for (let g = 0; g < groups; g++) {
        store<f32>(yi + (<usize>g << 2), load<f32>(xi + <usize>g * gs));
      }
    }
  }
}
