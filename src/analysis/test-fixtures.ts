/**
 * Test support (not a test file): reads the reference results of `../shared/data/oracles/`
 * (beside the repository on developers' machines and in CI), or the verbatim copies in
 * `testdata/` when that folder is absent, so the fixture comparisons always run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const sharedOracleDir = path.resolve(repoRoot, '../shared/data/oracles');
export const localOracleDir = path.resolve(import.meta.dirname, 'testdata');
/** Where the fixtures are read from: the shared folder when present, else the copies. */
export const oracleDir = fs.existsSync(path.join(sharedOracleDir, 'expected')) ? sharedOracleDir : localOracleDir;

/** A parsed CSV: the header and the rows as strings, with typed column accessors. */
export interface Csv {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** A column as strings. */
  text(name: string): string[];
  /** A column as numbers: `NA` → NaN, `inf` → Infinity. */
  num(name: string): Float64Array;
}

/** Reads `relative` (e.g. `expected/gistar_queen.csv`) from {@link oracleDir}. */
export function readOracle(relative: string): Csv {
  const lines = fs.readFileSync(path.join(oracleDir, relative), 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((line) => line.split(','));
  const column = (name: string): number => {
    const k = header.indexOf(name);
    if (k < 0) throw new Error(`${relative}: no column ${name}`);
    return k;
  };
  const parse = (s: string): number => (s === 'NA' ? NaN : s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s));
  return {
    header,
    rows,
    text: (name) => rows.map((r) => r[column(name)]),
    num: (name) => Float64Array.from(rows, (r) => parse(r[column(name)])),
  };
}

/**
 * Largest absolute and relative differences between two arrays. NaN must match NaN (an undefined
 * statistic in both); a NaN on one side only counts as an infinite error.
 */
export function maxError(actual: ArrayLike<number>, expected: ArrayLike<number>): { abs: number; rel: number; at: number } {
  expect(actual.length).toBe(expected.length);
  let abs = 0;
  let rel = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(a) || Number.isNaN(e)) {
      if (Number.isNaN(a) !== Number.isNaN(e)) return { abs: Infinity, rel: Infinity, at: i };
      continue;
    }
    if (a === e) continue;
    const d = Math.abs(a - e);
    const r = d / Math.max(Math.abs(e), Number.MIN_VALUE);
    if (d > abs) {
      abs = d;
      at = i;
    }
    rel = Math.max(rel, r);
  }
  return { abs, rel, at };
}

/** Asserts every value within `abs` absolute error (NaN matching NaN). */
export function expectAbs(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, label = ''): void {
  const err = maxError(actual, expected);
  expect(err.abs, `${label} max |Δ| at row ${err.at}`).toBeLessThanOrEqual(tolerance);
}

/** Asserts every value within `rel` relative error, or `floor` absolute for values near 0. */
export function expectRel(actual: ArrayLike<number>, expected: ArrayLike<number>, rel: number, floor = 0, label = ''): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const ok = a === e || Math.abs(a - e) <= Math.max(rel * Math.abs(e), floor);
    if (!ok) expect(a, `${label} row ${i}: expected ${e} within ${rel} relative`).toBe(e);
  }
}

/** Expects `fn` to throw an analysis error with this code (and field, when given). */
export function expectCode(fn: () => unknown, code: string, field?: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected an error with code ${code}`).toBeInstanceOf(Error);
  expect((thrown as { code?: string }).code).toBe(code);
  if (field !== undefined) expect((thrown as { field?: string }).field).toBe(field);
}
