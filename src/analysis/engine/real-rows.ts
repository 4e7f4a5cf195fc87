/**
 * Real crime rows for the engine's tests and the benchmark (not a test file): the SSP-DF Mexico City
 * records shipped in `src/records/data/incidents/` (copies of ../shared/data/incidents) put through the records module's own checks (`checkCrime`:
 * the cdmx-ssp mapping's classification, violence, the geo module's place, H3 cells 7–10), so a row
 * here is what the importer would have stored — without a database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createGeoService } from '../../geo/geo.service.js';
import { crimeCatalogue } from '../../records/crime-catalogue.js';
import { checkCrime, factColumns } from '../../records/crime-checks.js';
import type { CrimeRowForAnalysis } from '../../records/crime.service.js';
import { CDMX_SSP_MAPPING } from '../../records/import-mapping.js';

export const INCIDENTS_DIR = path.resolve(import.meta.dirname, '../../records/data/incidents');
export const incidentsFile = (year: 2013 | 2014 | 2015) => path.join(INCIDENTS_DIR, `cdmx-ssp-delitos-${year}.csv`);

/** The raw fields of a file's rows: id, date, time, category, lat, lon (first `limit` data rows). */
export function readIncidents(
  file: string,
  limit = Infinity,
): { id: string; date: string; time: string; crime: string; lat: number; lon: number }[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out: { id: string; date: string; time: string; crime: string; lat: number; lon: number }[] = [];
  for (let k = 1; k < lines.length && out.length < limit; k++) {
    if (!lines[k]) continue;
    const [id, date, time, crime, , lat, lon] = lines[k].split(',');
    out.push({ id, date, time, crime, lat: Number(lat), lon: Number(lon) });
  }
  return out;
}

/** A v7-shaped UUID for row `n` (time-ordered like the records module's ids). */
export const rowId = (n: number) => {
  const ms = (1_700_000_000_000 + n).toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7000-8000-${n.toString(16).padStart(12, '0')}`;
};

/**
 * The rows as the records module would store them (rows it would reject — a point outside Mexico City
 * — are left out). `ownerAgencyId` is null, as for a CLI import.
 */
export function realRows(raw: ReturnType<typeof readIncidents>): CrimeRowForAnalysis[] {
  const geo = createGeoService();
  const catalogue = crimeCatalogue();
  const out: CrimeRowForAnalysis[] = [];
  for (const r of raw) {
    const target = CDMX_SSP_MAPPING.categories[r.crime];
    if (!target) continue;
    const { code, violent } = typeof target === 'string' ? { code: target, violent: null } : { violent: null, ...target };
    const checked = checkCrime(
      geo,
      catalogue,
      {
        classificationCode: code,
        occurredOn: r.date,
        occurredTime: r.time || null,
        lat: r.lat,
        lon: r.lon,
        declaredStateCode: '09',
        violent,
      },
      '2100-01-01',
    );
    if (!checked.ok) continue;
    const c = checked.value;
    out.push({
      id: rowId(Number(r.id)),
      ...factColumns(c),
      ownerAgencyId: null,
    });
  }
  return out;
}
