import type { CaseFactory } from './types.js';

export const cases: CaseFactory = () => [];
