import type { KernelInfo } from './types.js';

export const kernels: KernelInfo[] = [];
