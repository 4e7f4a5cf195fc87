import { describe, expect, it } from 'vitest';
import { monthIndex, parsePeriod, periodLabel } from './catalogue.js';
import {
  buildCube,
  buildPopulationTable,
  countOf,
  countsOf,
  covers,
  moving12,
  percentChange,
  personYears,
  rank,
  ratePer100k,
  withSumRow,
  yearsOf,
} from './engine.js';

const jan2020 = monthIndex(2020, 1);
/** Two areas, 24 months (2020–2021): area A counts 1, 2, 3 … 24; area B counts 10 every month. */
const cube = buildCube(
  jan2020,
  24,
  new Map([
    ['01', Array.from({ length: 24 }, (_, k) => k + 1)],
    ['02', Array.from({ length: 24 }, () => 10)],
  ]),
);

describe('periods', () => {
  it('parses years, months and ranges, inclusive', () => {
    expect(parsePeriod('2017')).toEqual({ from: monthIndex(2017, 1), to: monthIndex(2017, 12) });
    expect(parsePeriod('2017-03')).toEqual({ from: monthIndex(2017, 3), to: monthIndex(2017, 3) });
    expect(parsePeriod('2015..2017')).toEqual({ from: monthIndex(2015, 1), to: monthIndex(2017, 12) });
    expect(parsePeriod('2015-02..2016-06')).toEqual({ from: monthIndex(2015, 2), to: monthIndex(2016, 6) });
    expect(parsePeriod('2017-13')).toBeNull();
    expect(parsePeriod('17')).toBeNull();
    expect(parsePeriod('2015..2016..2017')).toBeNull();
    expect(periodLabel(parsePeriod('2015..2017')!)).toBe('2015..2017');
    expect(periodLabel(parsePeriod('2015-02..2016-06')!)).toBe('2015-02..2016-06');
  });

  it('splits a period into calendar years with their months', () => {
    expect(yearsOf(parsePeriod('2019-11..2021-02')!)).toEqual([
      { year: 2019, months: 2 },
      { year: 2020, months: 12 },
      { year: 2021, months: 2 },
    ]);
  });
});

describe('counts from running sums', () => {
  it('adds the months of any period', () => {
    expect(countOf(cube, 0, parsePeriod('2020')!)).toBe(78); // 1 + … + 12
    expect(countOf(cube, 0, parsePeriod('2021-01..2021-03')!)).toBe(13 + 14 + 15);
    expect(Array.from(countsOf(cube, parsePeriod('2020..2021')!))).toEqual([300, 240]);
    expect(covers(cube, parsePeriod('2019-12..2020-02')!)).toBe(false);
    expect(covers(cube, parsePeriod('2021')!)).toBe(true);
  });

  it('adds a national row as the sum of its members', () => {
    const withNation = withSumRow(cube, '00', (a) => a.length === 2);
    expect(countOf(withNation, withNation.index.get('00')!, parsePeriod('2020')!)).toBe(78 + 120);
  });

  it('computes moving 12-month sums, none before twelve months of data', () => {
    const sums = moving12(cube, 0, parsePeriod('2020-11..2021-02')!);
    // Dec 2020: 1…12 = 78; Jan 2021: 2…13 = 90; Feb 2021: 3…14 = 102.
    expect(sums).toEqual([null, 78, 90, 102]);
  });
});

describe('rates per 100,000 and changes', () => {
  const pop = buildPopulationTable(
    new Map([
      [
        '01',
        new Map([
          [2020, 1_000_000],
          [2021, 1_200_000],
        ]),
      ],
    ]),
  );

  it('divides a whole year by its population exactly', () => {
    const py = personYears(pop, '01', parsePeriod('2020')!);
    expect(py).toBe(1_000_000);
    expect(ratePer100k(78, py)).toBe(7.8);
  });

  it('annualises a partial year by the months it covers', () => {
    // Jan–Mar 2021: 13 + 14 + 15 = 42 in a quarter of a year of 1.2 M people: 42 ÷ 300,000 × 100,000 = 14.
    const py = personYears(pop, '01', parsePeriod('2021-01..2021-03')!);
    expect(py).toBe(300_000);
    expect(ratePer100k(42, py)).toBe(14);
    // Nov 2020–Feb 2021: 2/12 of 1,000,000 + 2/12 of 1,200,000.
    expect(personYears(pop, '01', parsePeriod('2020-11..2021-02')!)).toBeCloseTo(366_666.667, 3);
  });

  it('has no person-years for a year the series lacks, or an area it lacks', () => {
    expect(personYears(pop, '01', parsePeriod('2019..2020')!)).toBeNaN();
    expect(personYears(pop, '02', parsePeriod('2020')!)).toBeNaN();
    expect(personYears(pop, '01', parsePeriod('2025')!, 2020)).toBe(1_000_000);
    expect(ratePer100k(5, NaN)).toBeNull();
  });

  it('computes percent changes, none from a zero base', () => {
    expect(percentChange(200, 250)).toBe(25);
    expect(percentChange(250, 200)).toBe(-20);
    expect(percentChange(0, 5)).toBeNull();
    expect(percentChange(null, 5)).toBeNull();
  });

  it('ranks highest first with ties sharing a rank, and leaves entries without a value unranked', () => {
    const ranked = rank([
      { code: 'a', value: 5 },
      { code: 'b', value: null },
      { code: 'c', value: 9 },
      { code: 'd', value: 5 },
      { code: 'e', value: 1 },
    ]);
    expect(ranked.map((r) => [r.code, r.rank])).toEqual([
      ['c', 1],
      ['a', 2],
      ['d', 2],
      ['e', 4],
      ['b', null],
    ]);
  });
});
