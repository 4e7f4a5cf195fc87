/**
 * A job worker: runs one hotspot job at a time (jobs.ts) on the input the store worker drew, posts
 * its progress, and answers the result as JSON bytes. Long statistics are synchronous loops, so a
 * job is cancelled — or stopped at its time limit — by terminating this thread (engine.service.ts
 * starts a fresh one); the store worker and the request thread never wait on it.
 */
import { parentPort } from 'node:worker_threads';
import { runJob } from './jobs.js';
import type { JobInput } from './study.js';
import type { WorkerReply } from './protocol.js';
import { toWire } from './wire.js';
import { lowerThreadPriority } from './niceness.js';

const port = parentPort!;
// Map questions and, more still, long jobs yield to the request thread's CPU (niceness.ts).
lowerThreadPriority(15);
const encoder = new TextEncoder();

port.on('message', (m: { id: number; input: JobInput }) => {
  try {
    let last = -1;
    const text = runJob(m.input, (fraction) => {
      // At most a hundred progress messages per job.
      const step = Math.floor(fraction * 100);
      if (step > last) {
        last = step;
        port.postMessage({ id: m.id, progress: Math.min(0.99, fraction) } satisfies WorkerReply);
      }
    });
    const bytes = encoder.encode(text);
    port.postMessage({ id: m.id, ok: true, bytes } satisfies WorkerReply, [bytes.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ id: m.id, ok: false, error: toWire(err) } satisfies WorkerReply);
  }
});
