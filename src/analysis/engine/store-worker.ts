/**
 * The store worker: holds the column store of crime records and answers the map's questions, one at
 * a time, off the request thread. The request thread (engine.service.ts) feeds it the records as
 * the records module reads them, and asks; answers go back as JSON bytes.
 */
import { createHash, randomUUID } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { loadAreas } from './areas.js';
import { classificationIndex } from './classification.js';
import { appendRows, BYTES_PER_RECORD, columnBytes, createColumnStore, needsSort, sortByDay } from './columns.js';
import { aggregate, breakdownByLevel, matrix, points, publicPoints, timeseries, type EngineContext } from './queries.js';
import { profile } from './profile.js';
import { jobInput } from './study.js';
import type { QueryOp, StoreRequest, StoreStats, WorkerReply } from './protocol.js';
import type { Scope } from './filter.js';
import { toWire } from './wire.js';
import { lowerThreadPriority } from './niceness.js';

const port = parentPort!;
// Map questions yield to the request thread's CPU (niceness.ts).
lowerThreadPriority(10);
let ctx: EngineContext | undefined;
/** True until the initial load ends (`compact`): no re-sorting while the whole database streams in. */
let loading = true;

/** Public answers, by query and store version: the same map asked by many citizens is computed once. */
const publicCache = new Map<string, { bytes: Uint8Array; etag: string; gz?: Uint8Array }>();
const PUBLIC_CACHE_ENTRIES = 256;

const encoder = new TextEncoder();

/**
 * Map answers are GeoJSON of megabytes; analysts in municipal offices reach the C5 over slow links.
 * Compressed here, in this niced thread, rather than on the request thread; level 1 shrinks them
 * about tenfold at a fraction of the cost of higher levels. Small answers are not worth it.
 */
const GZIP_MIN_BYTES = 1400;

/**
 * An analyst's answer is fixed by the question, the actor's scope and the store's contents: its tag is
 * a hash of those (and of this worker's life, so a reloaded store never reuses a tag), known before
 * computing — a repeated question (a reload, the same view again) is answered "not modified" without
 * counting anything. The compressed representation's tag ends in -gz.
 */
const EPOCH = randomUUID().slice(0, 8);
const answerTag = (m: { op: string; params: unknown; scope: unknown }, version: number) =>
  `"${EPOCH}.${version}.${createHash('sha1')
    .update(`${m.op}|${JSON.stringify(m.params)}|${JSON.stringify(m.scope)}`)
    .digest('base64url')
    .slice(0, 20)}"`;
const baseTag = (tag: string) => tag.replace(/-gz"$/, '"');
const gzip = (bytes: Uint8Array) => {
  const b = gzipSync(bytes, { level: 1 });
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

function run(op: QueryOp, p: Record<string, unknown>, scope: Scope): string {
  const c = ctx!;
  const min = c.publicMap.minCount;
  const all: Scope = { all: true };
  switch (op) {
    case 'aggregate':
      return aggregate(c, p as never, scope);
    case 'points':
      return points(c, p, scope);
    case 'timeseries':
      return timeseries(c, p, scope);
    case 'matrix':
      return matrix(c, p, scope);
    case 'breakdown':
      return breakdownByLevel(c, p, scope);
    case 'profile':
      return profile(c, p as never, scope);
    case 'publicAggregate':
      return aggregate(c, p as never, all, min);
    case 'publicPoints':
      return publicPoints(c, p);
    case 'publicTimeseries':
      return timeseries(c, p, all, min);
  }
}

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

port.on('message', (m: StoreRequest) => {
  try {
    switch (m.kind) {
      case 'init': {
        const areas = loadAreas();
        ctx = { store: createColumnStore(areas, classificationIndex(), 64 * 1024), areas, publicMap: m.publicMap };
        return reply({ id: m.id, ok: true });
      }
      case 'append': {
        const added = appendRows(ctx!.store, m.rows);
        if (added) publicCache.clear();
        if (!loading && needsSort(ctx!.store)) sortByDay(ctx!.store);
        return reply({ id: m.id, ok: true, value: added });
      }
      case 'compact':
        sortByDay(ctx!.store);
        loading = false;
        return reply({ id: m.id, ok: true });
      case 'stats': {
        const s = ctx!.store;
        const stats: StoreStats = {
          records: s.n,
          bytesPerRecord: BYTES_PER_RECORD,
          columnBytes: columnBytes(s),
          version: s.version,
          minDay: s.minDay,
          maxDay: s.maxDay,
        };
        return reply({ id: m.id, ok: true, value: stats });
      }
      case 'query': {
        const isPublic = m.op.startsWith('public');
        const key = isPublic ? `${m.op}|${JSON.stringify(m.params)}` : '';
        const cached = isPublic ? publicCache.get(key) : undefined;
        if (cached) {
          if (m.gzip && cached.bytes.length >= GZIP_MIN_BYTES) cached.gz ??= gzip(cached.bytes);
          const out = m.gzip && cached.gz ? cached.gz : cached.bytes;
          return reply({ id: m.id, ok: true, bytes: out.slice(), etag: cached.etag, gzip: out === cached.gz });
        }
        let etag = isPublic ? undefined : answerTag(m, ctx!.store.version);
        if (etag && m.ifNoneMatch && m.ifNoneMatch.split(',').some((t) => baseTag(t.trim()) === etag))
          return reply({ id: m.id, ok: true, etag, notModified: true });
        const bytes = encoder.encode(run(m.op, m.params, m.scope));
        const gz = m.gzip && bytes.length >= GZIP_MIN_BYTES ? gzip(bytes) : undefined;
        if (isPublic) {
          etag = `"${createHash('sha1').update(bytes).digest('base64url').slice(0, 22)}"`;
          if (publicCache.size >= PUBLIC_CACHE_ENTRIES) publicCache.delete(publicCache.keys().next().value!);
          publicCache.set(key, { bytes: bytes.slice(), etag, gz: gz?.slice() });
        }
        const out = gz ?? bytes;
        return reply({ id: m.id, ok: true, bytes: out, etag, gzip: !!gz }, [out.buffer as ArrayBuffer]);
      }
      case 'jobInput': {
        const { input, transfer } = jobInput(ctx!, m.params as never, m.scope);
        return reply({ id: m.id, ok: true, value: input }, transfer);
      }
    }
  } catch (err) {
    reply({ id: m.id, ok: false, error: toWire(err) });
  }
});
