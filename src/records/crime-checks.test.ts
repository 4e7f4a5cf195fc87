import fs from 'node:fs';
import path from 'node:path';
import { cellToParent, latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { createGeoService } from '../geo/geo.service.js';
import { checkPoint, h3Parent, isCalendarDate, localToday } from './crime-checks.js';

const geo = createGeoService();

describe('comprobaciones de un registro', () => {
  it('computes H3 parents as h3-js does, for every point of the real 2015 file', () => {
    const file = path.resolve(import.meta.dirname, 'data/incidents/cdmx-ssp-delitos-2015.csv');
    const rows = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1);
    for (const line of rows) {
      const f = line.split(',');
      const cell = latLngToCell(Number(f[5]), Number(f[6]), 10);
      for (const r of [5, 7, 8, 9]) if (h3Parent(cell, r) !== cellToParent(cell, r)) throw new Error(`${cell} @${r}`);
    }
    // Elsewhere in Mexico too (another base cell, other digits).
    for (const [lat, lon] of [
      [20.6767, -103.3475],
      [32.5149, -117.0382],
      [14.9, -92.26],
      [21.16, -86.85],
    ])
      for (const r of [7, 8, 9]) expect(h3Parent(latLngToCell(lat, lon, 10), r)).toBe(cellToParent(latLngToCell(lat, lon, 10), r));
  });

  it('catches suspicious points and names what is wrong', () => {
    expect(checkPoint(geo, 19.4326, -99.1332)).toMatchObject({ ok: true, place: { stateCode: '09', municipalityCode: '09015' } });
    expect(checkPoint(geo, -99.1332, 19.4326)).toMatchObject({ ok: false, reason: 'swapped_coordinates' });
    expect(checkPoint(geo, 0, 0)).toMatchObject({ ok: false, reason: 'null_island' });
    expect(checkPoint(geo, 19.4326, 99.1332)).toMatchObject({ ok: false, reason: 'missing_minus_sign', field: 'lon' });
    expect(checkPoint(geo, 34.05, -118.24)).toMatchObject({ ok: false, reason: 'outside_mexico' }); // Los Ángeles
    expect(checkPoint(geo, 19.4326, -99.1332, '15')).toMatchObject({
      ok: false,
      reason: 'outside_declared_state',
      params: { found: '09' },
    });
    expect(checkPoint(geo, Number.NaN, -99)).toMatchObject({ ok: false, reason: 'invalid_coordinates' });
  });

  it('knows calendar dates and today in Mexico City', () => {
    expect([isCalendarDate('2024-02-29'), isCalendarDate('2023-02-29'), isCalendarDate('1899-12-31'), isCalendarDate('2024-2-1')]).toEqual([
      true,
      false,
      false,
      false,
    ]);
    // 03:00 UTC on 1 March is still 28 February in Mexico City (UTC−6).
    expect(localToday(new Date('2025-03-01T03:00:00Z'))).toBe('2025-02-28');
  });
});
