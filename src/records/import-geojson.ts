/**
 * A streaming reader of a GeoJSON FeatureCollection: it walks the bytes, finds the
 * top-level `features` array and hands over one feature at a time, with the line it starts
 * on and its byte range, never holding more than the feature being read. Resuming at a
 * committed position starts inside the array (the position is always just after a feature).
 */
import type { FieldDecoder } from './import-text.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LF = 0x0a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** A feature larger than this is not a point record: the file is refused. */
export const MAX_FEATURE_BYTES = 16 << 20;

export type GeoJsonItem =
  | { kind: 'feature'; line: number; nextLine: number; start: number; end: number; feature: unknown; raw: Buffer }
  | {
      kind: 'bad';
      line: number;
      nextLine: number;
      start: number;
      end: number;
      problem: 'invalid_feature' | 'invalid_encoding';
      params: { detail: string };
      raw: Buffer;
    };

/** The file is not a FeatureCollection we can read; the import stops with this message. */
export class GeoJsonStructureError extends Error {}

export class GeoJsonReader {
  private mode: 'prelude' | 'features' | 'after';
  private carry: Buffer | null = null;
  private base: number;
  private line: number;
  // Prelude state, kept across chunks (the prelude is consumed as it goes).
  private depth = 0;
  private inString = false;
  private escape = false;
  private stringBytes: number[] = [];
  private lastRootString = '';

  constructor(
    private readonly decoder: FieldDecoder,
    start: { offset: number; line: number; inFeatures: boolean },
  ) {
    this.base = start.offset;
    this.line = start.line;
    this.mode = start.inFeatures ? 'features' : 'prelude';
  }

  get nextLine(): number {
    return this.line;
  }

  push(chunk: Buffer, out: GeoJsonItem[]): void {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    this.scan(buf, false, out);
  }

  finish(out: GeoJsonItem[]): void {
    const buf = this.carry ?? Buffer.alloc(0);
    this.carry = null;
    this.scan(buf, true, out);
    if (this.mode === 'prelude') throw new GeoJsonStructureError('no "features" array');
  }

  private countLines(buf: Buffer, from: number, to: number): void {
    for (let k = from; k < to; k++) if (buf[k] === LF) this.line++;
  }

  private scan(buf: Buffer, final: boolean, out: GeoJsonItem[]): void {
    let pos = 0;
    const len = buf.length;
    while (pos < len) {
      if (this.mode === 'after') {
        pos = len;
        break;
      }
      if (this.mode === 'prelude') {
        const b = buf[pos];
        if (b === LF) this.line++;
        if (this.inString) {
          if (this.escape) this.escape = false;
          else if (b === BACKSLASH) this.escape = true;
          else if (b === QUOTE) {
            this.inString = false;
            if (this.depth === 1) this.lastRootString = Buffer.from(this.stringBytes).toString('utf8');
          } else if (this.depth === 1 && this.stringBytes.length < 64) this.stringBytes.push(b);
        } else if (b === QUOTE) {
          this.inString = true;
          this.stringBytes = [];
        } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
          if (this.depth === 0 && b !== OPEN_OBJECT) throw new GeoJsonStructureError('the file is not a JSON object');
          if (this.depth === 1 && b === OPEN_ARRAY && this.lastRootString === 'features') this.mode = 'features';
          this.depth++;
        } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
          this.depth--;
          if (this.depth === 0) throw new GeoJsonStructureError('no "features" array');
        }
        pos++;
        continue;
      }
      // In the features array: separators, the array's end, or a feature.
      const b = buf[pos];
      if (b === 0x20 || b === 0x09 || b === 0x0d || b === 0x2c) {
        pos++;
        continue;
      }
      if (b === LF) {
        this.line++;
        pos++;
        continue;
      }
      if (b === CLOSE_ARRAY) {
        this.mode = 'after';
        pos++;
        continue;
      }
      if (b !== OPEN_OBJECT) throw new GeoJsonStructureError(`unexpected “${String.fromCharCode(b)}” in the features array`);
      const end = this.featureEnd(buf, pos);
      if (end < 0) {
        if (final) throw new GeoJsonStructureError('the file ends inside a feature');
        if (len - pos > MAX_FEATURE_BYTES) throw new GeoJsonStructureError(`a feature is larger than ${MAX_FEATURE_BYTES} bytes`);
        break;
      }
      const line = this.line;
      this.countLines(buf, pos, end);
      const raw = buf.subarray(pos, end);
      const start = this.base + pos;
      const item = { line, nextLine: this.line, start, end: this.base + end, raw };
      let high = 0;
      for (let k = pos; k < end; k++) high |= buf[k];
      const text = this.decoder.decode(buf, pos, end, high >= 0x80);
      if (text === null) out.push({ kind: 'bad', ...item, problem: 'invalid_encoding', params: { detail: '' } });
      else {
        try {
          out.push({ kind: 'feature', ...item, feature: JSON.parse(text) as unknown });
        } catch (err) {
          out.push({
            kind: 'bad',
            ...item,
            problem: 'invalid_feature',
            params: { detail: err instanceof Error ? err.message : String(err) },
          });
        }
      }
      pos = end;
    }
    this.carry = pos < len ? buf.subarray(pos) : null;
    this.base += pos;
  }

  /** Index just past the object that opens at `start`, or -1 when it continues in the next chunk. */
  private featureEnd(buf: Buffer, start: number): number {
    let depth = 0;
    let inString = false;
    for (let k = start; k < buf.length; k++) {
      const b = buf[k];
      if (inString) {
        if (b === BACKSLASH) k++;
        else if (b === QUOTE) inString = false;
        continue;
      }
      if (b === QUOTE) inString = true;
      else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
      else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        depth--;
        if (depth === 0) return k + 1;
      }
    }
    return -1;
  }
}
