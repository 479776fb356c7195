export { Session, pruneGraph, type SessionOptions, type Tensor, type ModelSource, type TfjsModelSource } from './session.js';
export { loadGraph } from './source.js';
export { interpret } from './interpreter.js';
