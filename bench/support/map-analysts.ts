/**
 * The crime map's analysts of bench:analysis, in their own worker thread: 20 of them asking map
 * questions back to back. Apart from the dispatch load generator, whose latencies would otherwise
 * include the time its event loop spends receiving the analysts' megabytes of GeoJSON — as a
 * dispatcher's console does not share a process with the analysts' browsers.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createClient, type Session } from './api-client.js';

type Job = { kind: 'map-analysts'; url: string; session: Session; analysts: number };
export type AnalystsResult = { latencies: number[]; errors: number };

function mapQuestion(k: number): string {
  const year = 2013 + (k % 3);
  const questions = [
    `/api/analysis/aggregate?unit=h3&resolution=9&from=${year}-01-01&to=${year}-12-31`,
    `/api/analysis/aggregate?unit=grid&cellSize=250&classification=4.1&from=${year}-01-01`,
    `/api/analysis/aggregate?unit=colonia&area=municipality:09015&from=${year}-01-01&to=${year}-12-31`,
    `/api/analysis/timeseries?interval=week&classification=4.1.2&from=${year}-01-01`,
    `/api/analysis/matrix?from=${year}-01-01&to=${year}-06-30`,
    `/api/analysis/aggregate?unit=quadrant&hours=18-23&from=${year}-01-01`,
  ];
  return questions[k % questions.length];
}

/** Starts the analysts in a worker thread; `stop()` ends their loops and answers their latencies. */
export function startAnalysts(url: string, session: Session, analysts: number): { stop: () => Promise<AnalystsResult> } {
  const job: Job = { kind: 'map-analysts', url, session, analysts };
  const worker = new Worker(new URL('./map-analysts-worker.mjs', import.meta.url), { workerData: job, execArgv: [] });
  const result = new Promise<AnalystsResult>((resolve, reject) => {
    worker.once('message', (r: AnalystsResult) => resolve(r));
    worker.once('error', reject);
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      const r = await result;
      await worker.terminate();
      return r;
    },
  };
}

if (!isMainThread && (workerData as Job | undefined)?.kind === 'map-analysts') {
  const job = workerData as Job;
  const client = createClient(job.url, { maxSockets: 64 });
  let done = false;
  parentPort!.once('message', () => (done = true));
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  await Promise.all(
    Array.from({ length: job.analysts }, async (_, a) => {
      while (!done) {
        const t0 = performance.now();
        // As a browser asks (the answer stays compressed here: raw).
        const r = await client.request('GET', mapQuestion(a + n++), {
          session: job.session,
          timeoutMs: 60_000,
          raw: true,
          headers: { 'accept-encoding': 'gzip' },
        });
        if (r.status === 200) latencies.push(performance.now() - t0);
        else errors++;
      }
    }),
  );
  client.close();
  parentPort!.postMessage({ latencies, errors } satisfies AnalystsResult);
}
