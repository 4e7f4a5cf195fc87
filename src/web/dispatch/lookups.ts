import { useEffect, useState, useSyncExternalStore } from 'react';
import { getAgencies, locatePoint, searchCatalogue, type Agency, type CatalogueEntry, type LocateResult } from '../api.js';

/**
 * Small caches for the names the dispatch records carry only as codes: the place
 * (municipality, colonia, quadrant) of a point, the agencies, and the catalogue
 * entries (for the English names of incident types). Each is fetched once per page load.
 */

// ── places ──────────────────────────────────────────────────────────────────
const places = new Map<string, LocateResult | null>();
const placeWaiters = new Set<() => void>();
const queue: { key: string; lat: number; lon: number }[] = [];
const queued = new Set<string>();
let running = 0;
const PARALLEL = 4;

const placeKey = (lat: number, lon: number) => `${lat.toFixed(5)},${lon.toFixed(5)}`;

function pump(): void {
  while (running < PARALLEL && queue.length) {
    const job = queue.shift()!;
    running++;
    locatePoint(job.lat, job.lon)
      .then((r) => places.set(job.key, r))
      .catch(() => places.set(job.key, null))
      .finally(() => {
        running--;
        queued.delete(job.key);
        placeWaiters.forEach((fn) => fn());
        pump();
      });
  }
}

function subscribePlaces(fn: () => void): () => void {
  placeWaiters.add(fn);
  return () => placeWaiters.delete(fn);
}

/** The jurisdictions of a point (null while unknown or when the lookup failed). */
export function usePlace(lat: number | null | undefined, lon: number | null | undefined): LocateResult | null {
  const key = lat == null || lon == null ? null : placeKey(lat, lon);
  const value = useSyncExternalStore(subscribePlaces, () => (key ? (places.get(key) ?? null) : null));
  useEffect(() => {
    if (!key || lat == null || lon == null || places.has(key) || queued.has(key)) return;
    queued.add(key);
    queue.push({ key, lat, lon });
    pump();
  }, [key, lat, lon]);
  return value;
}

// ── agencies ────────────────────────────────────────────────────────────────
let agencies: Promise<Map<string, Agency>> | null = null;

export function useAgencies(): Map<string, Agency> {
  const [map, setMap] = useState<Map<string, Agency>>(new Map());
  useEffect(() => {
    if (!agencies) {
      agencies = getAgencies().then((r) => new Map(r.agencies.map((a) => [a.id, a])));
      agencies.catch(() => (agencies = null));
    }
    let live = true;
    agencies.then((m) => live && setMap(m)).catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return map;
}

// ── catalogue entries ───────────────────────────────────────────────────────
const entries = new Map<string, CatalogueEntry | null>();
const entryWaiters = new Set<() => void>();
const entryLoading = new Set<string>();

/** Keeps catalogue entries seen in searches, so their names need no further request. */
export function rememberEntries(list: readonly CatalogueEntry[]): void {
  for (const e of list) entries.set(e.code, e);
}

function subscribeEntries(fn: () => void): () => void {
  entryWaiters.add(fn);
  return () => entryWaiters.delete(fn);
}

/** The catalogue entry of a code (null while unknown). */
export function useCatalogueEntry(code: string | null | undefined): CatalogueEntry | null {
  const value = useSyncExternalStore(subscribeEntries, () => (code ? (entries.get(code) ?? null) : null));
  useEffect(() => {
    if (!code || entries.has(code) || entryLoading.has(code)) return;
    entryLoading.add(code);
    searchCatalogue(code, 1)
      .then((r) => entries.set(code, r.entries.find((e) => e.code === code) ?? null))
      .catch(() => undefined)
      .finally(() => {
        entryLoading.delete(code);
        entryWaiters.forEach((fn) => fn());
      });
  }, [code]);
  return value;
}

/** The name of an incident type in the UI language (the records carry the Spanish one). */
export function useTypeName(code: string, spanish: string, english: boolean): string {
  const entry = useCatalogueEntry(english ? code : null);
  return english ? (entry?.nameEn ?? spanish) : spanish;
}
