export { optimizeGraph } from '../graph/passes/index.js';
