export { Session, pruneGraph, type SessionOptions, type Tensor, type ModelSource } from './session.js';
export { interpret } from './interpreter.js';
