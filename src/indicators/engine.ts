/**
 * The indicator engine: plain arithmetic over typed arrays, no I/O. A **cube** holds one release's
 * monthly counts of one crime for every area of one level, with running sums so that the count of
 * any area over any period is two array reads; a **population table** holds one population series
 * by area and year. Everything the API, the CLI and the web pages show is computed here.
 *
 * Formulas (docs/indicators.md):
 * - count(area, P) = Σ monthly counts of the months of P;
 * - person-years(area, P) = Σ over the calendar years y touched by P of population(area, y) × months of P in y ÷ 12;
 * - rate per 100,000 = count ÷ person-years × 100,000 — for one whole calendar year exactly count ÷ population × 100,000;
 *   a period that is not made of whole calendar years gives an annualised rate, marked as such;
 * - percent change A → B = (B − A) ÷ A × 100 (none when A = 0);
 * - share of the national total = count(area) ÷ count(nation) × 100 for the same source, release and period;
 * - moving 12-month sum at month m = Σ counts of months m − 11 … m (none before 12 months of data).
 */
import { monthOf, yearOf, type Period } from './catalogue.js';

export type Cube = {
  /** Area codes, in the order of the rows of `cumulative`. */
  areas: readonly string[];
  index: ReadonlyMap<string, number>;
  first: number;
  months: number;
  /**
   * Per area, `months + 1` running sums: cumulative[a × (months + 1) + k] = Σ of the first k months.
   * Counts are integers far below 2^53, so the sums are exact.
   */
  cumulative: Float64Array;
};

/** Builds a cube from one series per area, all spanning the same months. */
export function buildCube(first: number, months: number, series: ReadonlyMap<string, ArrayLike<number>>): Cube {
  const areas = [...series.keys()].sort();
  const matrix = new Float64Array(areas.length * months);
  areas.forEach((area, a) => {
    const values = series.get(area)!;
    if (values.length !== months) throw new Error(`series of ${area} has ${values.length} months, expected ${months}`);
    for (let k = 0; k < months; k++) matrix[a * months + k] = values[k];
  });
  return buildCubeFromMatrix(first, months, areas, matrix);
}

/** Builds a cube from an areas × months matrix (row a = the monthly values of areas[a]). */
export function buildCubeFromMatrix(first: number, months: number, areas: readonly string[], matrix: ArrayLike<number>): Cube {
  const stride = months + 1;
  const cumulative = new Float64Array(areas.length * stride);
  for (let a = 0; a < areas.length; a++) {
    let sum = 0;
    const base = a * stride;
    const row = a * months;
    for (let k = 0; k < months; k++) {
      sum += matrix[row + k];
      cumulative[base + k + 1] = sum;
    }
  }
  return { areas, index: new Map(areas.map((x, i) => [x, i])), first, months, cumulative };
}

/** A cube whose every row is the sum of the given areas' rows (the national total of a sum-of-states source). */
export function withSumRow(cube: Cube, code: string, members: (area: string) => boolean): Cube {
  const stride = cube.months + 1;
  const sum = new Float64Array(stride);
  cube.areas.forEach((area, a) => {
    if (!members(area)) return;
    for (let k = 1; k < stride; k++) sum[k] += cube.cumulative[a * stride + k];
  });
  const areas = [...cube.areas, code];
  const cumulative = new Float64Array(areas.length * stride);
  cumulative.set(cube.cumulative);
  cumulative.set(sum, cube.areas.length * stride);
  return { areas, index: new Map(areas.map((a, i) => [a, i])), first: cube.first, months: cube.months, cumulative };
}

export const covers = (cube: Cube, p: Period) => p.from >= cube.first && p.to <= cube.first + cube.months - 1 && p.from <= p.to;

/** The count of one area (row index) over a period the cube covers. */
export function countOf(cube: Cube, a: number, p: Period): number {
  const stride = cube.months + 1;
  return cube.cumulative[a * stride + (p.to - cube.first + 1)] - cube.cumulative[a * stride + (p.from - cube.first)];
}

/** The monthly value of one area. */
export const monthValue = (cube: Cube, a: number, m: number) => countOf(cube, a, { from: m, to: m });

/** Counts of every area over a period, in the cube's area order. */
export function countsOf(cube: Cube, p: Period): Float64Array {
  const out = new Float64Array(cube.areas.length);
  const stride = cube.months + 1;
  const hi = p.to - cube.first + 1;
  const lo = p.from - cube.first;
  for (let a = 0; a < out.length; a++) out[a] = cube.cumulative[a * stride + hi] - cube.cumulative[a * stride + lo];
  return out;
}

/** Moving 12-month sums of one area for the months of a period (null where fewer than 12 months of data precede). */
export function moving12(cube: Cube, a: number, p: Period): (number | null)[] {
  const out: (number | null)[] = [];
  for (let m = p.from; m <= p.to; m++) out.push(m - 11 < cube.first ? null : countOf(cube, a, { from: m - 11, to: m }));
  return out;
}

export type PopulationTable = {
  areas: readonly string[];
  index: ReadonlyMap<string, number>;
  firstYear: number;
  years: number;
  /** values[a × years + (y − firstYear)]; NaN where the series has no figure. */
  values: Float64Array;
};

export function buildPopulationTable(rows: ReadonlyMap<string, ReadonlyMap<number, number>>): PopulationTable {
  const areas = [...rows.keys()].sort();
  let firstYear = Infinity;
  let lastYear = -Infinity;
  for (const byYear of rows.values())
    for (const y of byYear.keys()) {
      firstYear = Math.min(firstYear, y);
      lastYear = Math.max(lastYear, y);
    }
  const years = areas.length ? lastYear - firstYear + 1 : 0;
  const values = new Float64Array(areas.length * years).fill(NaN);
  areas.forEach((area, a) => {
    for (const [y, v] of rows.get(area)!) values[a * years + (y - firstYear)] = v;
  });
  return { areas, index: new Map(areas.map((x, i) => [x, i])), firstYear, years, values };
}

/** The calendar years a period touches, with how many of its months fall in each. */
export function yearsOf(p: Period): { year: number; months: number }[] {
  const out: { year: number; months: number }[] = [];
  for (let y = yearOf(p.from); y <= yearOf(p.to); y++) {
    const from = y === yearOf(p.from) ? monthOf(p.from) : 1;
    const to = y === yearOf(p.to) ? monthOf(p.to) : 12;
    out.push({ year: y, months: to - from + 1 });
  }
  return out;
}

/**
 * Person-years lived by an area's population during a period; NaN when the table lacks a year.
 * A whole year contributes its population × 12 ÷ 12, i.e. exactly its population.
 */
export function personYears(
  pop: PopulationTable,
  code: string,
  p: Period | readonly { year: number; months: number }[],
  constantYear?: number,
): number {
  const a = pop.index.get(code);
  if (a === undefined) return NaN;
  let total = 0;
  // Callers ranking thousands of areas pass the period's years once (yearsOf) instead of the period.
  for (const { year, months } of 'from' in p ? yearsOf(p) : p) {
    const y = constantYear ?? year;
    if (y < pop.firstYear || y >= pop.firstYear + pop.years) return NaN;
    const v = pop.values[a * pop.years + (y - pop.firstYear)];
    total += months === 12 ? v : (v * months) / 12;
  }
  return total;
}

/** Rate per 100,000 inhabitants a year; null when there is no population to divide by. */
export function ratePer100k(count: number, personYearsLived: number): number | null {
  if (!(personYearsLived > 0)) return null;
  return (count * 100_000) / personYearsLived;
}

/** Percent change from a to b; null when a is zero (no base) or either is missing. */
export function percentChange(a: number | null, b: number | null): number | null {
  if (a === null || b === null || a === 0) return null;
  return ((b - a) / a) * 100;
}

/** Whether a period is made of whole calendar years (else its rates are annualised). */
export const wholeYears = (p: Period) => monthOf(p.from) === 1 && monthOf(p.to) === 12;

/**
 * Standard competition ranking ("1224"), highest first; entries without a value (no population, no
 * data) are not ranked and come last, marked by a null rank. Sorts and annotates the given objects.
 */
export function rank<T extends { value: number | null; rank?: number | null }>(items: T[]): (T & { rank: number | null })[] {
  items.sort((x, y) => (y.value ?? -Infinity) - (x.value ?? -Infinity));
  let prev: number | null = null;
  let prevRank = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item.value === null || Number.isNaN(item.value)) {
      item.rank = null;
      continue;
    }
    const r: number = item.value === prev ? prevRank : i + 1;
    prev = item.value;
    prevRank = r;
    item.rank = r;
  }
  return items as (T & { rank: number | null })[];
}
