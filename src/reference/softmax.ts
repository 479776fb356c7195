/**
 * y[r][:] = softmax(x[r][:]) over cols for each of rows rows, in float64:
 * e_i = exp(x_i - max(x)), y_i = e_i / sum(e).
 */
export function refSoftmax(rows: number, cols: number, x: Float32Array, xStride: number, y: Float32Array, yStride: number): void {
  const e = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let c = 0; c < cols; c++) m = Math.max(m, x[r * xStride + c]);
    let s = 0;
    for (let c = 0; c < cols; c++) {
      e[c] = Math.exp(x[r * xStride + c] - m);
      s += e[c];
    }
    for (let c = 0; c < cols; c++) y[r * yStride + c] = e[c] / s;
  }
}
