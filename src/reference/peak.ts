/**
 * Reference for f32-peak-12x4: the value it leaves in io[0..4) given a, m, c (4 lanes each).
 * Twelve chains start at a, a+c, a+2c, ... and each does `iters` steps of x = x*m + c.
 */
export function refPeak(iters: number, a: Float32Array, m: Float32Array, c: Float32Array): Float32Array {
  const out = new Float32Array(4);
  for (let l = 0; l < 4; l++) {
    let sum = 0;
    let x0 = a[l];
    for (let j = 0; j < 12; j++) {
      let x = x0;
      for (let i = 0; i < iters; i++) x = Math.fround(Math.fround(x * m[l]) + c[l]);
      sum += x;
      x0 = Math.fround(x0 + c[l]);
    }
    out[l] = sum;
  }
  return out;
}
