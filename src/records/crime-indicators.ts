import type { GeoService } from '../geo/geo.service.js';
import type { CrimeRecordsAdapter } from '../indicators/adapters.js';
import { monthIndex, monthOf, yearOf } from '../indicators/catalogue.js';
import { catalogueOf, crimeScope, type CrimeDeps } from './crime.service.js';
import * as store from './crime.store.js';

const day = (m: number, last: boolean) => {
  const y = yearOf(m);
  const mo = monthOf(m);
  const d = last ? new Date(Date.UTC(y, mo, 0)).getUTCDate() : 1;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
};

/**
 * The platform's crime records by colonia and month, for the indicators engine (rates per 100,000
 * with the colonias' population estimates, changes, rankings), per SESNSP crime type. Counts go
 * through the records module's own store with the actor's scope (CR-1), so an analyst's rankings
 * only ever count what the analyst may read.
 */
export function crimeRecordsAdapter(deps: CrimeDeps & { geo: GeoService }): CrimeRecordsAdapter {
  const catalogue = catalogueOf(deps);
  const types = catalogue.all().filter((n) => n.level === 'type');
  let population: Map<string, { name: string; population: number }> | undefined;
  return {
    id: 'delitos',
    label: { es: 'Registros delictivos de la plataforma (por colonia)', en: 'The platform’s crime records (by colonia)' },
    level: 'colonia',
    measures: [
      { key: 'all', label: { es: 'Todos los delitos', en: 'All crimes' } },
      ...types.map((n) => ({ key: n.code, label: { es: n.name, en: n.nameEn } })),
    ],
    stats: [],
    async monthlyCounts(actor, q) {
      const codes = q.measure === 'all' ? undefined : catalogue.get(q.measure) ? catalogue.subtreeCodes(q.measure) : [];
      const rows = await store.countByColoniaMonth(deps.handle.db, {
        scope: crimeScope(actor),
        codes,
        from: day(q.from, false),
        to: day(q.to, true),
      });
      const out = new Map<string, number[]>();
      for (const r of rows) {
        const m = monthIndex(Number(r.month.slice(0, 4)), Number(r.month.slice(5, 7)));
        const key = r.coloniaId ?? '';
        let row = out.get(key);
        if (!row) out.set(key, (row = new Array<number>(q.to - q.from + 1).fill(0)));
        row[m - q.from] += r.n;
      }
      return out;
    },
    async periodStats() {
      return new Map();
    },
    population() {
      // The colonias layer carries each colonia's population estimate (src/geo/data/README.md).
      population ??= new Map(
        (
          deps.geo.getLayerTopology('colonias').objects.colonias as unknown as { geometries: { properties: Record<string, unknown> }[] }
        ).geometries.map((g) => [
          String(g.properties.code),
          { name: String(g.properties.name), population: Number(g.properties.population) || 0 },
        ]),
      );
      return population;
    },
  };
}
