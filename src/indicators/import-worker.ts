/**
 * The import worker (a worker thread per upload): phase one reads and checks the file and answers
 * what it holds; phase two, told which release it follows, compares and encodes, and hands the blocks
 * back without copying them (transferred buffers). The request thread keeps answering meanwhile.
 */
import { parentPort } from 'node:worker_threads';
import { AppError } from '../platform/errors.js';
import type { SourceId } from './catalogue.js';
import { startImport, type AreaRows, type PreviousRelease } from './import-job.js';

export type WorkerRequest =
  | { phase: 'parse'; bytes: Uint8Array; source: SourceId; areas: AreaRows }
  | { phase: 'finish'; previous: PreviousRelease | null; newId: string };

export type WorkerError =
  { status: number; code: string; messageKey: string; params: Record<string, string | number>; field?: string } | { message: string };

const port = parentPort!;
let job: ReturnType<typeof startImport> | undefined;

function answer(fn: () => { value: unknown; transfer?: ArrayBuffer[] }) {
  try {
    const { value, transfer } = fn();
    port.postMessage({ ok: true, value }, transfer ?? []);
  } catch (err) {
    const error: WorkerError =
      err instanceof AppError
        ? { status: err.status, code: err.code, messageKey: err.messageKey, params: err.params, field: err.field }
        : { message: err instanceof Error ? err.message : String(err) };
    port.postMessage({ ok: false, error });
  }
}

port.on('message', (req: WorkerRequest) => {
  if (req.phase === 'parse') {
    answer(() => {
      job = startImport(req.bytes, req.source, req.areas);
      return { value: job.summary };
    });
  } else {
    answer(() => {
      const prepared = job!.finish(req.previous, req.newId);
      return { value: prepared, transfer: prepared.blocks.map((b) => b.counts.buffer as ArrayBuffer) };
    });
  }
});
