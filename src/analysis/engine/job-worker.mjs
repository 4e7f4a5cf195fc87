// Worker threads start without the TypeScript loader the server runs under (tsx): load it here (as store-worker.mjs).
import { tsImport } from 'tsx/esm/api';

await tsImport('./job-worker.ts', import.meta.url);
