import { Act, type ActCode } from '../kernels/act.js';

/** Plain scalar activation: the reference every SIMD epilogue is tested against. */
export function refAct(x: number, act: ActCode): number {
  switch (act) {
    case Act.linear:
      return x;
    case Act.relu:
      return Math.max(x, 0);
    case Act.relu6:
      return Math.min(Math.max(x, 0), 6);
    case Act.hswish:
      return (x * Math.min(Math.max(x + 3, 0), 6)) / 6;
    case Act.hsigmoid:
      return Math.min(Math.max(x + 3, 0), 6) / 6;
    case Act.sigmoid:
      return 1 / (1 + Math.exp(-x));
    case Act.tanh:
      return Math.tanh(x);
    case Act.elu:
      return x > 0 ? x : Math.expm1(x);
    default:
      throw new Error(`unknown activation code ${act as number}`);
  }
}
