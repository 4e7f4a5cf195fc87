// Worker threads start without tsx: load the analysts' TypeScript through tsx's scoped loader (as the engine's workers do).
import { tsImport } from 'tsx/esm/api';

await tsImport('./map-analysts.ts', import.meta.url);
