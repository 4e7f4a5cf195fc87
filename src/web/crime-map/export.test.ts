import { describe, expect, it } from 'vitest';
import type { FeatureCollection, Polygon } from 'geojson';
import { csvField, featureCentre, featuresToCsv } from './export.js';

describe('exports of the crime map', () => {
  it('quotes CSV fields when needed and defuses spreadsheet formulas', () => {
    expect(csvField('Centro, I')).toBe('"Centro, I"');
    expect(csvField('dice "hola"')).toBe('"dice ""hola"""');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField(0.1 + 0.2)).toBe('0.3');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(null)).toBe('');
  });

  it('writes one row per feature with the centre of its outer ring', () => {
    const fc: FeatureCollection<Polygon> = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [2, 0],
                [2, 2],
                [0, 2],
                [0, 0],
              ],
            ],
          },
          properties: { id: 'a', name: 'Centro, I', count: 12, ratePer1000: null },
        },
      ],
    };
    expect(featureCentre(fc.features[0])).toEqual([1, 1]);
    expect(featuresToCsv(fc, ['id', 'name', 'count', 'ratePer1000'])).toBe(
      'id,name,count,ratePer1000,lon,lat\r\na,"Centro, I",12,,1,1\r\n',
    );
  });
});
