/**
 * Text of an import file: the encoding (declared or detected) and the values in it —
 * dates ISO or dd/mm/yyyy with or without a time, decimal commas, yes/no flags.
 */
import { isUtf8 } from 'node:buffer';

import type { ImportEncoding } from './crime.types.js';

export { IMPORT_ENCODINGS, type ImportEncoding } from './crime.types.js';
export type ResolvedEncoding = Exclude<ImportEncoding, 'auto'>;

/**
 * Windows-1252 is Latin-1 except for 0x80–0x9F, where it has €, ‚, „, …, smart quotes, dashes,
 * Š, Ž, Œ, ™… Node 20's TextDecoder('windows-1252') decodes that range as Latin-1 control codes
 * (nodejs/node#56542), so the difference is applied here; the five unassigned bytes stay as C1
 * controls, as the WHATWG encoding standard maps them.
 */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';
function decodeWindows1252(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]);
}

/**
 * Decodes fields as they are found. The delimiters, quotes and line ends of a CSV are ASCII,
 * and in UTF-8 no byte of a multi-byte character is below 0x80, so the file is split on its
 * bytes and only field contents are decoded (which also keeps exact byte offsets for resuming).
 *
 * `auto` reads ASCII until the first field with a byte ≥ 0x80: valid UTF-8 there locks UTF-8,
 * anything else locks Windows-1252 (Excel's "CSV" in Spanish Windows, a superset of Latin-1 for
 * text). Everything before was ASCII, which both decode alike, so nothing read so far changes.
 */
export class FieldDecoder {
  /** The encoding in use once known (`auto` until the first non-ASCII field). */
  used: ResolvedEncoding | null;
  /** Set when a file declared as a single-byte encoding holds what is clearly UTF-8. */
  looksUtf8 = false;

  constructor(
    readonly declared: ImportEncoding,
    resumed: ResolvedEncoding | null = null,
  ) {
    this.used = declared === 'auto' ? resumed : declared;
  }

  /** The field's text, or null when its bytes are not valid in the encoding in use (UTF-8). */
  decode(buf: Buffer, start: number, end: number, nonAscii: boolean): string | null {
    if (!nonAscii) return buf.toString('latin1', start, end);
    const bytes = buf.subarray(start, end);
    if (this.used === null) this.used = isUtf8(bytes) ? 'utf-8' : 'windows-1252';
    switch (this.used) {
      case 'utf-8':
        return isUtf8(bytes) ? buf.toString('utf8', start, end) : null;
      case 'windows-1252':
        if (!this.looksUtf8 && this.declared !== 'auto' && isUtf8(bytes)) this.looksUtf8 = true;
        return decodeWindows1252(bytes);
      case 'latin1':
        if (!this.looksUtf8 && isUtf8(bytes)) this.looksUtf8 = true;
        return buf.toString('latin1', start, end);
    }
  }

  /** Raw text of a rejected row, shown as well as the bytes allow (invalid sequences replaced). */
  loose(bytes: Buffer): string {
    if (this.used === 'windows-1252') return decodeWindows1252(bytes);
    if (this.used === 'latin1') return bytes.toString('latin1');
    return bytes.toString('utf8');
  }
}

/** A byte-order mark at the start of a file: UTF-8 is skipped; UTF-16 is refused (not a text encoding we read). */
export function byteOrderMark(head: Buffer): 'utf-8' | 'utf-16' | null {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) return 'utf-16';
  return null;
}

export type DateFormat = 'auto' | 'iso' | 'dmy';

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const DMY = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const pad = (n: string) => n.padStart(2, '0');

/**
 * A date, and a time when the value carries one: `2015-01-31`, `2015-01-31 21:05`,
 * `2015-01-31T21:05:00`, `31/01/2015`, `31/01/2015 21:05`. Day first: Mexico writes
 * dd/mm/yyyy, so 02/03/2015 is the 2nd of March. The result is not checked against the
 * calendar here (31/02 passes); the record checks do that.
 */
export function parseDateTime(value: string, format: DateFormat = 'auto'): { date: string; time: string | null } | null {
  const v = value.trim();
  if (format !== 'dmy') {
    const m = ISO.exec(v);
    if (m) return { date: `${m[1]}-${pad(m[2])}-${pad(m[3])}`, time: m[4] ? `${pad(m[4])}:${m[5]}` : null };
  }
  if (format !== 'iso') {
    const m = DMY.exec(v);
    if (m) return { date: `${m[3]}-${pad(m[2])}-${pad(m[1])}`, time: m[4] ? `${pad(m[4])}:${m[5]}` : null };
  }
  return null;
}

/** `21:05`, `9:05`, `21:05:33` → `21:05`; empty → null; anything else → undefined (invalid). */
export function parseClock(value: string): string | null | undefined {
  const v = value.trim();
  if (!v) return null;
  const m = /^(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(v);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return undefined;
  return `${pad(m[1])}:${m[2]}`;
}

/**
 * A decimal number with a point or, where the file uses it, a decimal comma (`19,4326`).
 * `decimalComma` undefined accepts either, as long as the value has only one of them.
 */
export function parseDecimal(value: string, decimalComma?: boolean): number | null {
  let v = value.trim();
  if (!v) return null;
  if (decimalComma === true || (decimalComma === undefined && v.includes(',') && !v.includes('.'))) v = v.replace(',', '.');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v)) return null;
  return Number(v);
}

/** Yes/no as written in Spanish and English sources, including the C.V./S.V. suffixes of police categories. */
export function parseYesNo(value: string): boolean | null | undefined {
  const v = value
    .trim()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  if (!v) return null;
  if (['si', 's', 'yes', 'y', 'true', '1', 'c.v.', 'cv', 'con violencia', 'violento'].includes(v)) return true;
  if (['no', 'n', 'false', '0', 's.v.', 'sv', 'sin violencia', 'no violento'].includes(v)) return false;
  return undefined;
}
