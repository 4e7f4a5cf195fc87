// Worker threads start without the TypeScript loader the server runs under (tsx), whatever the runner
// (npm start, vitest): load the worker's TypeScript through tsx's scoped loader (as src/indicators does).
import { tsImport } from 'tsx/esm/api';

await tsImport('./store-worker.ts', import.meta.url);
