import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STATE,
  filtersOf,
  formatHours,
  monthBounds,
  monthsBack,
  monthsBetween,
  normaliseCodes,
  parseHours,
  polygonProblem,
  readMapState,
  writeMapState,
  type MapState,
} from './view-state.js';

const read = (q: string) => readMapState(new URLSearchParams(q));

describe('crime map view state in the URL', () => {
  it('round-trips a full view through the query string', () => {
    const s: MapState = {
      classification: ['1.1.1', '4.1.5'],
      from: '2015-01-01',
      to: '2015-12-31',
      hours: [0, 1, 2, 3, 4, 5, 22, 23],
      weekdays: [5, 6],
      area: 'municipality:09015',
      polygon: null,
      points: true,
      choropleth: true,
      unit: 'grid',
      resolution: 8,
      cellSize: 250,
      metric: 'perKm2',
      month: '2015-03',
      view: { lon: -99.13321, lat: 19.43261, zoom: 12.25 },
      job: 'job-123',
    };
    const q = writeMapState(s);
    expect(decodeURIComponent(q)).toBe(
      'c=1.1.1,4.1.5&from=2015-01-01&to=2015-12-31&h=0-5,22-23&wd=5,6&area=municipality:09015&pts=1&ch=grid:250&m=perKm2&month=2015-03&v=-99.13321,19.43261,12.25&job=job-123',
    );
    expect(read(q)).toEqual(s);
  });

  it('leaves defaults out and reads an empty query as the default view', () => {
    expect(writeMapState(DEFAULT_STATE)).toBe('ch=h3%3A8');
    expect(read('')).toEqual(DEFAULT_STATE);
  });

  it('keeps a drawn polygon (5 decimals) in place of the area', () => {
    const polygon: [number, number][] = [
      [-99.2, 19.4],
      [-99.1, 19.4],
      [-99.15, 19.5],
    ];
    const q = writeMapState({ ...DEFAULT_STATE, area: 'colonia:15-040', polygon });
    expect(decodeURIComponent(q)).toContain('poly=-99.2,19.4_-99.1,19.4_-99.15,19.5');
    expect(q).not.toContain('area=');
    expect(read(q).polygon).toEqual(polygon);
    expect(filtersOf(read(q)).polygon).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [-99.2, 19.4],
          [-99.1, 19.4],
          [-99.15, 19.5],
          [-99.2, 19.4],
        ],
      ],
    });
  });

  it('ignores malformed values instead of failing', () => {
    const s = read('c=4.1,abc,4.1.5&from=2015-13-01&to=x&h=3-1&wd=0,8&area=evil:1&ch=h3:12&m=rate&month=2015-3&v=1,2&job=a/b&poly=1,2_3');
    expect(s).toEqual({ ...DEFAULT_STATE, classification: ['4.1'] });
  });

  it('compacts and parses hour lists', () => {
    expect(formatHours([23, 0, 1, 2, 22, 5])).toBe('0-2,5,22-23');
    expect(parseHours('0-2,5,22-23')).toEqual([0, 1, 2, 5, 22, 23]);
    expect(parseHours('0-23')).toEqual([]);
    expect(formatHours(Array.from({ length: 24 }, (_, i) => i))).toBe('');
    expect(parseHours('24')).toEqual([]);
  });

  it('normalises classification codes: a selected ancestor covers its subtree; catalogue order', () => {
    expect(normaliseCodes(['4.1.10', '4.1.2', '4.1', '1.1.1', '1.1.1', '4.10.1'])).toEqual(['1.1.1', '4.1', '4.10.1']);
  });

  it('narrows the period to the slider month only when asked', () => {
    const s = { ...DEFAULT_STATE, from: '2015-01-15', to: '2015-12-31', month: '2015-01' };
    expect(filtersOf(s, { slider: true })).toMatchObject({ from: '2015-01-15', to: '2015-01-31' });
    expect(filtersOf(s)).toMatchObject({ from: '2015-01-15', to: '2015-12-31' });
    expect(monthBounds('2016-02')).toEqual(['2016-02-01', '2016-02-29']);
    expect(monthsBetween('2014-11-20', '2015-02-01')).toEqual(['2014-11', '2014-12', '2015-01', '2015-02']);
    expect(monthsBack('2015-12-31', 11)).toBe('2015-01-01');
    expect(monthsBack('2015-03-31', 3)).toBe('2014-12-01');
  });

  it('finds what the API would refuse in a drawn polygon', () => {
    expect(
      polygonProblem([
        [0, 0],
        [1, 1],
      ]),
    ).toBe('too_few');
    expect(
      polygonProblem([
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ]),
    ).toBeNull();
    // A bow tie: the edges (0,0)–(1,1) and (1,0)–(0,1) cross.
    expect(
      polygonProblem([
        [0, 0],
        [1, 1],
        [1, 0],
        [0, 1],
      ]),
    ).toBe('self_intersecting');
    expect(polygonProblem(Array.from({ length: 1001 }, (_, i) => [Math.cos(i), Math.sin(i)] as [number, number]))).toBe('too_many');
  });
});
