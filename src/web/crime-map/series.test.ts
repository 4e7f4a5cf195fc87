import { describe, expect, it } from 'vitest';
import { fillMonthly } from './series.js';

describe('monthly series for the charts', () => {
  it('fills the months the answer left out with zeros, over the whole period', () => {
    const r = fillMonthly(
      [
        { start: '2015-02-01', count: 4 },
        { start: '2015-04-01', count: 1 },
      ],
      '2015-01-15',
      '2015-05-31',
    );
    expect(r).toEqual({ starts: ['2015-01-01', '2015-02-01', '2015-03-01', '2015-04-01', '2015-05-01'], counts: [0, 4, 0, 1, 0] });
  });
  it('uses the answer’s own months without a period', () => {
    expect(
      fillMonthly([
        { start: '2015-11-01', count: 2 },
        { start: '2015-12-01', count: 3 },
      ]),
    ).toEqual({
      starts: ['2015-11-01', '2015-12-01'],
      counts: [2, 3],
    });
    expect(fillMonthly([])).toEqual({ starts: [], counts: [] });
  });
});
