/**
 * Messages between the request thread (engine.service.ts) and the engine's workers. Answers carry
 * JSON already serialised, as bytes whose buffer is transferred (no copy on the way back).
 */
import type { CrimeRowForAnalysis } from '../../records/crime.service.js';
import type { Scope } from './filter.js';

export interface PublicMapConfig {
  readonly snap: 'h3' | 'quadrant';
  readonly minCount: number;
}

/** What a query names: the map's questions (queries.ts, profile.ts) and the jobs' inputs (study.ts). */
export type QueryOp =
  'aggregate' | 'points' | 'timeseries' | 'matrix' | 'breakdown' | 'profile' | 'publicAggregate' | 'publicPoints' | 'publicTimeseries';

export type StoreRequest =
  | { kind: 'init'; id: number; publicMap: PublicMapConfig }
  | { kind: 'append'; id: number; rows: CrimeRowForAnalysis[] }
  | { kind: 'compact'; id: number }
  | { kind: 'stats'; id: number }
  /** `gzip`: the client accepts it; the worker compresses answers worth it (see store-worker.ts). */
  | { kind: 'query'; id: number; op: QueryOp; params: Record<string, unknown>; scope: Scope; gzip?: boolean; ifNoneMatch?: string }
  | { kind: 'jobInput'; id: number; params: Record<string, unknown>; scope: Scope };

/** An error as the HTTP edge needs it (AppError's fields), or an unexpected one. */
export type WireError =
  { status: number; code: string; messageKey: string; params: Record<string, string | number>; field?: string } | { message: string };

export type WorkerReply =
  | { id: number; ok: true; value?: unknown; bytes?: Uint8Array; etag?: string; gzip?: boolean; notModified?: boolean }
  | { id: number; ok: false; error: WireError }
  | { id: number; progress: number };

export interface StoreStats {
  readonly records: number;
  readonly bytesPerRecord: number;
  readonly columnBytes: number;
  readonly version: number;
  readonly minDay: number;
  readonly maxDay: number;
}
