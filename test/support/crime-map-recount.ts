/**
 * Test support for the crime map's browser tests (not a test file): loads every `every`-th row of
 * the shipped 2014 and 2015 Mexico City files into the platform through the records module's
 * importer (as `npm run cli -- records import` does), and recounts the same rows directly —
 * classified with the `cdmx-ssp` mapping and placed with the geo service, without the analysis
 * engine — so that what the map shows can be checked against an independent count.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { latLngToCell } from 'h3-js';
import type { Platform } from '../../src/app.js';
import type { GeoService } from '../../src/geo/geo.service.js';
import { crimeCatalogue, foldText } from '../../src/records/crime-catalogue.js';
import { createImportJob, runImport } from '../../src/records/import.service.js';
import { CDMX_SSP_MAPPING, categoryIndex } from '../../src/records/import-mapping.js';

const FILES = [2014, 2015].map((y) => path.resolve(import.meta.dirname, `../../src/records/data/incidents/cdmx-ssp-delitos-${y}.csv`));

export type RecountRecord = {
  code: string;
  date: string;
  hour: number | null;
  /** ISO weekday, Monday = 1. */
  weekday: number;
  lat: number;
  lon: number;
  municipalityCode: string;
  coloniaId: string | null;
  quadrantId: string | null;
  /** H3 cells, index = resolution − 7. */
  h3: string[];
};

/** The header and every `every`-th data row of both years, as one CSV text. */
function sampleCsv(every: number): string {
  const out: string[] = [];
  for (const file of FILES) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    if (!out.length) out.push(lines[0]);
    for (let i = 1; i < lines.length; i += every) if (lines[i].trim()) out.push(lines[i]);
  }
  return out.join('\n') + '\n';
}

/** Imports the sample through the importer and has the analysis engine read it. */
export async function importSample(p: Platform, every = 8): Promise<void> {
  const job = await createImportJob(
    p.crime,
    { agencyId: null, userId: null, name: 'mapa' },
    { fileName: 'delitos.csv', mappingName: 'cdmx-ssp' },
  );
  await runImport(p.crime, job.id, Readable.from([Buffer.from(sampleCsv(every))]), { offset: 0 });
  await p.analysis.refresh();
}

const dayOf = (date: string) => Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / 86_400_000;

/** The same rows, classified and placed as the records module would (rows it rejects are left out). */
export function recountRecords(geo: GeoService, every = 8): RecountRecord[] {
  const catalogue = crimeCatalogue();
  const categories = categoryIndex(CDMX_SSP_MAPPING);
  const out: RecountRecord[] = [];
  for (const file of FILES) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (let i = 1; i < lines.length; i += every) {
      const [, date, time, crime, , latText, lonText] = lines[i].split(',');
      const target = categories.get(foldText(crime ?? ''));
      const lat = Number(latText);
      const lon = Number(lonText);
      if (!target || !/^\d{4}-\d{2}-\d{2}$/.test(date ?? '') || !Number.isFinite(lat) || !Number.isFinite(lon)) continue;
      const place = geo.locate(lat, lon);
      if (!place || place.state.code !== '09') continue;
      const t = /^([01]\d|2[0-3]):[0-5]\d$/.test(time ?? '') ? time! : null;
      out.push({
        code: catalogue.resolve(target.code) ?? target.code,
        date,
        hour: t ? Number(t.slice(0, 2)) : null,
        weekday: ((new Date(dayOf(date) * 86_400_000).getUTCDay() + 6) % 7) + 1,
        lat,
        lon,
        municipalityCode: place.municipality.code,
        coloniaId: place.colonia?.id ?? null,
        quadrantId: place.quadrant?.id ?? null,
        h3: [7, 8, 9, 10].map((r) => latLngToCell(lat, lon, r)),
      });
    }
  }
  return out;
}

export type RecountFilter = {
  classification?: string;
  from?: string;
  to?: string;
  /** "0-5,22-23" */
  hours?: string;
  /** "5,6" */
  weekdays?: string;
  /** A GeoJSON Polygon as JSON text. */
  polygon?: string;
};

function numbers(list: string): Set<number> {
  const out = new Set<number>();
  for (const part of list.split(',')) {
    const [a, b = a] = part.split('-').map(Number);
    for (let v = a; v <= b; v++) out.add(v);
  }
  return out;
}

function inRing(ring: number[][], lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether a record passes the filter (classification subtree, dates, hours, weekdays, polygon). */
export function recountMatcher(f: RecountFilter): (r: RecountRecord) => boolean {
  const codes = f.classification ? f.classification.split(',') : null;
  const hours = f.hours ? numbers(f.hours) : null;
  const weekdays = f.weekdays ? numbers(f.weekdays) : null;
  const rings = f.polygon ? (JSON.parse(f.polygon) as { coordinates: number[][][] }).coordinates : null;
  return (r) =>
    (!codes || codes.some((c) => r.code === c || r.code.startsWith(`${c}.`))) &&
    (!f.from || r.date >= f.from) &&
    (!f.to || r.date <= f.to) &&
    (!hours || (r.hour !== null && hours.has(r.hour))) &&
    (!weekdays || weekdays.has(r.weekday)) &&
    (!rings || (inRing(rings[0], r.lon, r.lat) && !rings.slice(1).some((h) => inRing(h, r.lon, r.lat))));
}
