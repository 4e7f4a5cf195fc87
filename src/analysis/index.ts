/**
 * The spatial statistics of the analysis module: pure functions over typed arrays. See README.md
 * in this folder for what each computes, its conventions and its sources.
 */
export * from './emerging-hotspots.js';
export { MAX_GRID_CELLS, analysisError, isAnalysisError, type AnalysisError, type AnalysisErrorCode, type NumericArray } from './errors.js';
export * from './fdr.js';
export * from './forecast-accuracy.js';
export * from './gistar.js';
export * from './grid.js';
export * from './kde.js';
export * from './knox.js';
export * from './local-moran.js';
export * from './normal.js';
export * from './random.js';
export * from './weights.js';
