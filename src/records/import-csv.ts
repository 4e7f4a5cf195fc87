/**
 * A streaming CSV reader over bytes. The file arrives in chunks and is never held whole:
 * only the record being read is kept between chunks. Each record reports the line it starts
 * on and its byte range in the file, so that an import can commit "everything before byte N,
 * next line L" and resume there.
 *
 * RFC 4180 with the usual leniency: comma, semicolon or tab; CRLF, LF or CR line ends; a
 * quoted field may hold delimiters, doubled quotes and line breaks; a quote inside an
 * unquoted field is kept as text. What cannot be read is reported, never dropped:
 * - `unbalanced_quotes`: a quote opened and not closed by the end of the file (or within
 *   1 MiB), or a record that only "closes" lines later with the wrong number of fields.
 *   Only the line where the quote opened is rejected; reading starts again on the next line,
 *   so one stray quote does not swallow the rest of the file.
 * - `text_after_quote`: `"abc"def` on one line.
 * - `ragged_row`: a one-line record with more or fewer fields than the header.
 * - `invalid_encoding`: bytes that are not valid in the file's encoding (UTF-8).
 * - `record_too_long`: a line over 1 MiB.
 */
import type { FieldDecoder } from './import-text.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** Longest record accepted; past it an open quote is taken as unbalanced. */
export const MAX_RECORD_BYTES = 1 << 20;

export type CsvProblem = 'unbalanced_quotes' | 'text_after_quote' | 'ragged_row' | 'invalid_encoding' | 'record_too_long';

/**
 * A record (or a rejected line) with the line it starts on, the line after it, and its byte range
 * in the file. Its raw bytes are `chunk[from, to)` — a reference into the chunk it was read from,
 * not a copy, sliced only when the row is rejected and its text is kept.
 */
type Where = { line: number; nextLine: number; start: number; end: number; chunk: Buffer; from: number; to: number };
export type CsvItem =
  (Where & { kind: 'row'; cells: string[] }) | (Where & { kind: 'bad'; problem: CsvProblem; params: Record<string, number> });

/** The raw bytes of an item. */
export const rawBytes = (item: Pick<Where, 'chunk' | 'from' | 'to'>): Buffer => item.chunk.subarray(item.from, item.to);

type Scan =
  | { kind: 'blank'; next: number; lines: number }
  | { kind: 'row'; cells: string[]; next: number; lines: number }
  | { kind: 'bad'; problem: CsvProblem; params: Record<string, number>; next: number; lines: number };

/** The delimiter a header line uses most, outside quotes (comma when it has none). */
export function sniffDelimiter(firstLine: Buffer): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const b of firstLine) {
    if (b === QUOTE) quoted = !quoted;
    else if (!quoted) {
      if (b === 0x2c) counts[',']++;
      else if (b === 0x3b) counts[';']++;
      else if (b === 0x09) counts['\t']++;
    }
  }
  return counts[';'] > counts[','] && counts[';'] >= counts['\t'] ? ';' : counts['\t'] > counts[','] ? '\t' : ',';
}

export class CsvReader {
  /** Number of fields every record must have: the header's (its first record, or given when resuming). */
  expected: number | null = null;
  private carry: Buffer | null = null;
  /** Absolute offset in the file of `carry[0]` (or of the next chunk when nothing is carried). */
  private base: number;
  private line: number;
  /** A line over the limit being skipped: where it started, until its end is found. */
  private skipping: { line: number; start: number; raw: Buffer } | null = null;
  private readonly delimiter: number;

  constructor(
    delimiter: ',' | ';' | '\t',
    private readonly decoder: FieldDecoder,
    start: { offset: number; line: number },
  ) {
    this.delimiter = delimiter.charCodeAt(0);
    this.base = start.offset;
    this.line = start.line;
  }

  /** Line number of the next record. */
  get nextLine(): number {
    return this.line;
  }

  /** Reads the complete records of a chunk; the incomplete tail waits for the next chunk. */
  push(chunk: Buffer, out: CsvItem[]): void {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.scan(buf, false, out);
  }

  /** The end of the file: the last record may lack its line end. */
  finish(out: CsvItem[]): void {
    const buf = this.carry ?? Buffer.alloc(0);
    this.carry = null;
    this.scan(buf, true, out);
  }

  private scan(buf: Buffer, final: boolean, out: CsvItem[]): void {
    let pos = 0;
    const len = buf.length;
    while (pos < len) {
      if (this.skipping) {
        const nl = buf.indexOf(LF, pos);
        if (nl < 0 && !final) {
          pos = len;
          break;
        }
        const end = nl < 0 ? len : nl + 1;
        const s = this.skipping;
        out.push({
          kind: 'bad',
          line: s.line,
          nextLine: s.line + 1,
          start: s.start,
          end: this.base + end,
          chunk: s.raw,
          from: 0,
          to: s.raw.length,
          problem: 'record_too_long',
          params: { max: MAX_RECORD_BYTES },
        });
        this.skipping = null;
        this.line = s.line + 1;
        pos = end;
        continue;
      }
      const r = this.record(buf, pos, final);
      if (r === null) break;
      if (r === 'too_long') {
        this.skipping = { line: this.line, start: this.base + pos, raw: Buffer.from(buf.subarray(pos, pos + 4096)) };
        pos = len;
        break;
      }
      if (r.kind !== 'blank') {
        const start = this.base + pos;
        const end = this.base + r.next;
        const at = { line: this.line, nextLine: this.line + r.lines, start, end, chunk: buf, from: pos, to: r.next };
        if (r.kind === 'row') {
          // The first record of a file is its header: every later record must have as many fields.
          this.expected ??= r.cells.length;
          out.push({ kind: 'row', ...at, cells: r.cells });
        } else out.push({ kind: 'bad', ...at, problem: r.problem, params: r.params });
      }
      this.line += r.lines;
      pos = r.next;
    }
    this.carry = pos < len ? buf.subarray(pos) : null;
    this.base += pos;
  }

  /** Reject the first line of a record and read again from the next line. */
  private resync(buf: Buffer, start: number, final: boolean): Scan | null {
    const nl = buf.indexOf(LF, start);
    if (nl < 0 && !final) return null;
    return { kind: 'bad', problem: 'unbalanced_quotes', params: {}, next: nl < 0 ? buf.length : nl + 1, lines: 1 };
  }

  /** The record starting at `start`; null when it may continue in the next chunk. */
  private record(buf: Buffer, start: number, final: boolean): Scan | null | 'too_long' {
    const len = buf.length;
    const d = this.delimiter;
    const cells: string[] = [];
    let lines = 1;
    let badEncoding = false;
    let i = start;
    const incomplete = (): null | 'too_long' | Scan => {
      if (len - start <= MAX_RECORD_BYTES) return null;
      return lines > 1 ? this.resync(buf, start, final) : 'too_long';
    };
    for (;;) {
      if (i < len && buf[i] === QUOTE) {
        let j = i + 1;
        let escaped = false;
        let high = 0;
        for (;;) {
          if (j >= len) {
            if (!final) return incomplete();
            return this.resync(buf, start, final); // the quote never closes
          }
          const b = buf[j];
          if (b === QUOTE) {
            if (j + 1 < len && buf[j + 1] === QUOTE) {
              escaped = true;
              j += 2;
              continue;
            }
            if (j + 1 >= len && !final) return incomplete();
            break;
          }
          if (b === LF) lines++;
          high |= b;
          j++;
        }
        const text = this.decoder.decode(buf, i + 1, j, high >= 0x80);
        if (text === null) badEncoding = true;
        cells.push(text === null ? '' : escaped ? text.replaceAll('""', '"') : text);
        i = j + 1;
        if (i < len && buf[i] === d) {
          i++;
          continue;
        }
        if (i >= len || buf[i] === LF || buf[i] === CR) break;
        // Text after the closing quote: on one line a malformed record; across lines, the quote
        // that opened it was never meant to span them.
        if (lines > 1) return this.resync(buf, start, final);
        const nl = buf.indexOf(LF, i);
        if (nl < 0 && !final) return incomplete();
        return { kind: 'bad', problem: 'text_after_quote', params: { column: cells.length }, next: nl < 0 ? len : nl + 1, lines: 1 };
      }
      let j = i;
      let high = 0;
      while (j < len) {
        const b = buf[j];
        if (b === d || b === LF || b === CR) break;
        high |= b;
        j++;
      }
      if (j >= len && !final) return incomplete();
      const text = this.decoder.decode(buf, i, j, high >= 0x80);
      if (text === null) badEncoding = true;
      cells.push(text ?? '');
      i = j;
      if (i < len && buf[i] === d) {
        i++;
        continue;
      }
      break;
    }
    // At a line end (or the end of the file).
    let next = i;
    if (i < len) {
      if (buf[i] === CR) {
        if (i + 1 >= len && !final) return incomplete();
        next = i + 1 < len && buf[i + 1] === LF ? i + 2 : i + 1;
      } else next = i + 1;
    }
    if (next - start > MAX_RECORD_BYTES) {
      return lines > 1
        ? this.resync(buf, start, final)
        : { kind: 'bad', problem: 'record_too_long', params: { max: MAX_RECORD_BYTES }, next, lines };
    }
    if (cells.length === 1 && cells[0] === '' && buf[start] !== QUOTE) return { kind: 'blank', next, lines };
    if (this.expected !== null && cells.length !== this.expected) {
      if (lines > 1) return this.resync(buf, start, final);
      return { kind: 'bad', problem: 'ragged_row', params: { found: cells.length, expected: this.expected }, next, lines };
    }
    if (badEncoding) return { kind: 'bad', problem: 'invalid_encoding', params: {}, next, lines };
    return { kind: 'row', cells, next, lines };
  }
}
