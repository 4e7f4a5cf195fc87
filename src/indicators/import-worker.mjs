// Worker threads start without the TypeScript loader the server runs under (tsx), whatever the runner
// (npm start, vitest): load the worker's TypeScript through tsx's scoped loader.
import { tsImport } from 'tsx/esm/api';

await tsImport('./import-worker.ts', import.meta.url);
