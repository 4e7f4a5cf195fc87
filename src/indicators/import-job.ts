/**
 * The work of an import that does not touch the database: read and check the file, fingerprint its
 * cells, and compare them with the release they follow. Pure and synchronous, it runs on the request
 * thread for the seed files and the CLI, and in a worker thread for uploads (import-worker.ts), where a
 * SESNSP municipal file of tens of megabytes would otherwise hold the event loop for seconds.
 */
import type { ChangeRow } from './indicators.store.js';
import { SOURCES, monthLabel, type CrimeKey, type SourceId } from './catalogue.js';
import { buildAreaCatalogue, parseRelease, type AreaCatalogue, type ParsedRelease } from './importers.js';
import { decodeCounts, encodeCounts } from './series-codec.js';

/** One crime's figures of a release as stored: area codes and one block of counts (series-codec.ts). */
export type SeriesBlock = { crime: string; areas: string; counts: Uint8Array };

/** The release an import is compared with. */
export type PreviousRelease = { id: string; release: string; firstMonth: number; lastMonth: number; blocks: SeriesBlock[] };

export type ChangeSummary = {
  previous: { id: string; release: string };
  changedCells: number;
  removedCells: number;
  addedCells: number;
  byCrime: { crime: string; changed: number; removed: number; added: number; netChange: number }[];
  largest: { crime: string; area: string; month: string; old: number; new: number | null }[];
};

/** What the file holds, without its cells. */
export type ParsedSummary = Omit<ParsedRelease, 'cells'>;

/** The release ready to write: its blocks, and what changed against the previous one. */
export type PreparedRelease = { blocks: SeriesBlock[]; change: { summary: ChangeSummary; rows: ChangeRow[] } | null };

/** The geography the importer checks against, as plain rows (they cross to a worker thread). */
export type AreaRows = {
  states: { code: string; name: string; shortName: string }[];
  municipalities: { code: string; stateCode: string; name: string }[];
};

type Cells = Map<string, Map<string, number[]>>;

function cellsOf(previous: PreviousRelease): Cells {
  const months = previous.lastMonth - previous.firstMonth + 1;
  const out: Cells = new Map();
  for (const b of previous.blocks) {
    const areas = b.areas.split(',');
    const counts = decodeCounts(b.counts, areas.length, months);
    out.set(b.crime, new Map(areas.map((area, a) => [area, Array.from(counts.subarray(a * months, (a + 1) * months))])));
  }
  return out;
}

/** The stored form of a release's cells: one block per crime, areas in code order. */
export function blocksOf(parsed: ParsedRelease): SeriesBlock[] {
  return [...parsed.cells].map(([crime, byArea]) => {
    const areas = [...byArea.keys()].sort();
    return { crime, areas: areas.join(','), counts: encodeCounts(areas.map((a) => byArea.get(a)!)) };
  });
}

/**
 * Phase one reads the file (and throws the importer's AppError on bad input); phase two, once the
 * caller has chosen which release it follows, compares and encodes.
 */
export function startImport(bytes: Uint8Array, source: SourceId, areas: AreaCatalogue | AreaRows) {
  const catalogue = 'stateByName' in areas ? areas : buildAreaCatalogue(areas.states, areas.municipalities);
  const parsed = parseRelease(bytes, SOURCES[source], catalogue);
  const { cells: _cells, ...summary } = parsed;
  return {
    summary: summary as ParsedSummary,
    finish(previous: PreviousRelease | null, newId: string): PreparedRelease {
      return { blocks: blocksOf(parsed), change: previous ? compareReleases(previous, cellsOf(previous), parsed, newId) : null };
    },
  };
}

/** Cell by cell: what the new release revised, withdrew and added against the previous one. */
export function compareReleases(
  previous: PreviousRelease,
  previousCells: Cells,
  parsed: ParsedRelease,
  newId: string,
): { summary: ChangeSummary; rows: ChangeRow[] } {
  const rows: ChangeRow[] = [];
  const byCrime = new Map<string, { crime: string; changed: number; removed: number; added: number; netChange: number }>();
  const tally = (crime: string) => {
    let t = byCrime.get(crime);
    if (!t) byCrime.set(crime, (t = { crime, changed: 0, removed: 0, added: 0, netChange: 0 }));
    return t;
  };
  const crimes = new Set([...previousCells.keys(), ...parsed.cells.keys()]);
  for (const crime of crimes) {
    const before = previousCells.get(crime) ?? new Map<string, number[]>();
    const after = parsed.cells.get(crime as CrimeKey) ?? new Map<string, number[]>();
    const t = tally(crime);
    for (const area of new Set([...before.keys(), ...after.keys()])) {
      const old = before.get(area);
      const now = after.get(area);
      const from = Math.min(old ? previous.firstMonth : Infinity, now ? parsed.first : Infinity);
      const to = Math.max(old ? previous.lastMonth : -Infinity, now ? parsed.last : -Infinity);
      for (let m = from; m <= to; m++) {
        const o = old && m >= previous.firstMonth && m <= previous.lastMonth ? old[m - previous.firstMonth] : undefined;
        const n = now && m >= parsed.first && m <= parsed.last ? now[m - parsed.first] : undefined;
        if (o === undefined && n === undefined) continue;
        if (o === undefined) t.added++;
        else if (n === undefined) {
          t.removed++;
          t.netChange -= o;
          rows.push({ releaseId: newId, crime, areaCode: area, month: m, oldValue: o, newValue: null });
        } else if (o !== n) {
          t.changed++;
          t.netChange += n - o;
          rows.push({ releaseId: newId, crime, areaCode: area, month: m, oldValue: o, newValue: n });
        }
      }
    }
  }
  const largest = [...rows]
    .sort((a, b) => Math.abs((b.newValue ?? 0) - b.oldValue) - Math.abs((a.newValue ?? 0) - a.oldValue))
    .slice(0, 10)
    .map((r) => ({ crime: r.crime, area: r.areaCode, month: monthLabel(r.month), old: r.oldValue, new: r.newValue }));
  const list = [...byCrime.values()].filter((t) => t.changed || t.removed || t.added);
  return {
    rows,
    summary: {
      previous: { id: previous.id, release: previous.release },
      changedCells: list.reduce((n, t) => n + t.changed, 0),
      removedCells: list.reduce((n, t) => n + t.removed, 0),
      addedCells: list.reduce((n, t) => n + t.added, 0),
      byCrime: list,
      largest,
    },
  };
}
