/**
 * Place-name search over states, municipalities (alcaldías included), colonias and police quadrants.
 *
 * Matching: the query and the names are normalized (accents, case and punctuation removed) and
 * split into words. A place matches when every query word is a word of the place's own name or
 * code, or of its parents' names (alcaldía, state) — the last query word may be a prefix (it may
 * be unfinished); when that finds nothing, every query word may be a prefix. Words naming a kind
 * ("colonia", "alcaldía", "municipio", "estado", "cuadrante", …) are optional: when they match
 * nothing they are ignored, and they favour places of that kind.
 *
 * Ranking, in order:
 * 1. how the query words that fall on the place's own name match it: exactly (the whole name,
 *    or an alternative name such as "CDMX"), as a prefix of it, only word by word, or not at
 *    all (the place matched through its parents only);
 * 2. places of a kind named in the query;
 * 3. bigger jurisdictions first (state, municipality, colonia, quadrant);
 * 4. more populous first; then alphabetical.
 *
 * The index is an alphabetically sorted vocabulary of normalized words: a query word's prefix
 * matches are one contiguous id range (binary search), candidates come from the postings of the
 * most selective word, and the other words are checked against each candidate's word ids.
 */
import type { BBox, GeoLayers, LonLat, Shape, GridTransform } from './geo-data.js';
import { interiorPoint } from './geo-data.js';

/** Kinds of places the gazetteer returns (Mexico City alcaldías are municipalities). */
export type GazetteerKind = 'state' | 'municipality' | 'colonia' | 'quadrant';

/** One search result. */
export interface GazetteerHit {
  readonly kind: GazetteerKind;
  /** State "09", municipality "09015", colonia "15-037", quadrant "P-1.4.8". */
  readonly code: string;
  readonly name: string;
  /** Enclosing places, e.g. "Cuauhtémoc, Ciudad de México"; null for states. */
  readonly parentName: string | null;
  readonly bbox: BBox;
  /** A point inside the place (the municipal seat for municipalities), `[lon, lat]`. */
  readonly center: LonLat;
}

/** Options of {@link Gazetteer.search}. */
export interface SearchOptions {
  /** Maximum hits (default 10, at most 100). */
  readonly limit?: number;
  /** Only these kinds (default all). */
  readonly kinds?: readonly GazetteerKind[];
}

/** Search structure built by {@link createGazetteer}. */
export interface Gazetteer {
  /** Ranked places matching `query`; empty for an empty query. */
  search(query: string, options?: SearchOptions): GazetteerHit[];
  /** Number of indexed places. */
  readonly size: number;
}

const KIND_RANK: Record<GazetteerKind, number> = { state: 0, municipality: 1, colonia: 2, quadrant: 3 };

// Words that name a kind of place rather than a place.
const KIND_WORDS = new Map<string, GazetteerKind>([
  ['estado', 'state'],
  ['edo', 'state'],
  ['entidad', 'state'],
  ['municipio', 'municipality'],
  ['mpio', 'municipality'],
  ['mun', 'municipality'],
  ['alcaldia', 'municipality'],
  ['delegacion', 'municipality'],
  ['colonia', 'colonia'],
  ['col', 'colonia'],
  ['barrio', 'colonia'],
  ['cuadrante', 'quadrant'],
]);

// Connectors: a place whose own name matches only these ranks as a parent-only match.
const CONNECTORS = new Set(['de', 'del', 'la', 'las', 'los', 'el', 'y']);

// Common abbreviations in typed queries.
const ABBREVIATIONS = new Map([
  ['sta', 'santa'],
  ['sto', 'santo'],
  ['sn', 'san'],
  ['gral', 'general'],
  ['cd', 'ciudad'],
  ['pdte', 'presidente'],
  ['ma', 'maria'],
]);

// Alternative names people type for some states.
const STATE_ALIASES: Record<string, readonly string[]> = {
  '09': ['CDMX', 'DF', 'Distrito Federal', 'Ciudad de Mexico'],
  '15': ['Estado de México', 'Edomex'],
};

/** Lower case, no accents, punctuation turned into spaces, single-spaced. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

interface Entry {
  readonly hit: GazetteerHit;
  readonly kindRank: number;
  readonly population: number;
  /** Normalized own names (first = display name), compared whole for the exact/prefix tiers. */
  readonly variants: readonly string[];
  readonly ownWords: readonly string[];
  readonly parentWords: readonly string[];
}

function words(...texts: readonly string[]): string[] {
  const out = new Set<string>();
  for (const text of texts) for (const w of normalizeText(text).split(' ')) if (w) out.add(w);
  return [...out];
}

function shapeCenter(shape: Shape, transform: GridTransform): LonLat {
  return interiorPoint(shape, transform);
}

/** Builds the search index over every place of `layers` (~50 ms). */
export function createGazetteer(layers: GeoLayers): Gazetteer {
  const entries: Entry[] = [];
  const stateDisplayName = new Map<string, string>();

  layers.states.features.forEach((state, i) => {
    // INEGI's short name of Estado de México is plain "México", ambiguous with the country.
    const display = state.code === '15' ? 'Estado de México' : state.shortName;
    stateDisplayName.set(state.code, display);
    const aliases = STATE_ALIASES[state.code] ?? [];
    const names = [display, state.name, state.shortName, ...aliases];
    entries.push({
      hit: {
        kind: 'state',
        code: state.code,
        name: display,
        parentName: null,
        bbox: layers.states.shapes[i].bbox,
        center: shapeCenter(layers.states.shapes[i], layers.states.transform),
      },
      kindRank: KIND_RANK.state,
      population: state.population,
      variants: [...new Set([...names.map(normalizeText), state.code])],
      ownWords: words(...names, state.abbreviation, state.code),
      parentWords: [],
    });
  });

  // Mexico City alcaldías take their geometry from the detailed INEGI 2023 layer.
  const alcaldiaIndex = new Map(layers.alcaldias.features.map((a, i) => [a.code, i]));
  const alcaldiaName = new Map(layers.alcaldias.features.map((a) => [a.code, a.name]));
  layers.municipalities.features.forEach((m, i) => {
    const stateName = stateDisplayName.get(m.stateCode) ?? m.stateCode;
    const detailed = alcaldiaIndex.get(m.code);
    const shape = detailed === undefined ? layers.municipalities.shapes[i] : layers.alcaldias.shapes[detailed];
    const transform = detailed === undefined ? layers.municipalities.transform : layers.alcaldias.transform;
    const state = layers.states.features.find((s) => s.code === m.stateCode);
    entries.push({
      hit: {
        kind: 'municipality',
        code: m.code,
        name: m.name,
        parentName: stateName,
        bbox: shape.bbox,
        center: m.seat ?? shapeCenter(shape, transform),
      },
      kindRank: KIND_RANK.municipality,
      population: m.population,
      variants: [normalizeText(m.name), m.code],
      ownWords: words(m.name, m.code),
      parentWords: words(stateName, ...(state ? [state.name, state.shortName, ...(STATE_ALIASES[state.code] ?? [])] : [])),
    });
  });

  const cdmxName = stateDisplayName.get('09') ?? 'Ciudad de México';
  const cdmxWords = words(cdmxName, ...(STATE_ALIASES['09'] ?? []));
  layers.colonias.features.forEach((c, i) => {
    const alcaldia = alcaldiaName.get(c.alcaldiaCode) ?? c.alcaldiaCode;
    entries.push({
      hit: {
        kind: 'colonia',
        code: c.id,
        name: c.name,
        parentName: `${alcaldia}, ${cdmxName}`,
        bbox: layers.colonias.shapes[i].bbox,
        center: shapeCenter(layers.colonias.shapes[i], layers.colonias.transform),
      },
      kindRank: KIND_RANK.colonia,
      population: c.population,
      variants: [normalizeText(c.name), normalizeText(c.id)],
      ownWords: words(c.name, c.id),
      parentWords: [...new Set([...words(alcaldia), ...cdmxWords])],
    });
  });

  layers.quadrants.features.forEach((q, i) => {
    const alcaldia = alcaldiaName.get(q.alcaldiaCode) ?? q.alcaldiaCode;
    const compact = normalizeText(q.id).replace(/ /g, '');
    entries.push({
      hit: {
        kind: 'quadrant',
        code: q.id,
        name: q.id,
        parentName: `Sector ${q.sector}, ${alcaldia}, ${cdmxName}`,
        bbox: layers.quadrants.shapes[i].bbox,
        center: shapeCenter(layers.quadrants.shapes[i], layers.quadrants.transform),
      },
      kindRank: KIND_RANK.quadrant,
      population: 0,
      variants: [normalizeText(q.id), compact],
      ownWords: [...words(q.id), compact],
      parentWords: [...new Set([...words(q.sector, alcaldia), ...cdmxWords])],
    });
  });

  // --- vocabulary: word id = rank in alphabetical order, so prefix matches are an id range
  const vocabulary = [...new Set(entries.flatMap((e) => [...e.ownWords, ...e.parentWords]))].sort();
  const wordId = new Map(vocabulary.map((w, i) => [w, i]));
  const ownIds = entries.map((e) => Int32Array.from(e.ownWords.map((w) => wordId.get(w) ?? -1)));
  const parentIds = entries.map((e) => Int32Array.from(e.parentWords.map((w) => wordId.get(w) ?? -1)));
  const postingLists: number[][] = vocabulary.map(() => []);
  entries.forEach((_, i) => {
    for (const id of new Set([...ownIds[i], ...parentIds[i]])) postingLists[id].push(i);
  });
  // Postings concatenated in vocabulary order: a word range maps to one contiguous slice.
  const postingStart = new Int32Array(vocabulary.length + 1);
  postingLists.forEach((list, id) => (postingStart[id + 1] = postingStart[id] + list.length));
  const postings = Int32Array.from(postingLists.flat());

  const byName = entries
    .map((_, i) => i)
    .sort((a, b) => entries[a].variants[0].localeCompare(entries[b].variants[0]) || entries[a].hit.code.localeCompare(entries[b].hit.code));
  const nameRank = new Int32Array(entries.length);
  byName.forEach((entry, rank) => (nameRank[entry] = rank));

  const seen = new Int32Array(entries.length);
  let generation = 0;

  /** First id whose word is ≥ `word`. */
  const lowerBound = (word: string): number => {
    let lo = 0;
    let hi = vocabulary.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (vocabulary[mid] < word) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  /** Ids of the words starting with `prefix`: `[from, to)`. */
  const prefixRange = (prefix: string): [number, number] => {
    // Normalized words are ASCII, so everything starting with prefix sorts before prefix + U+FFFF.
    return [lowerBound(prefix), lowerBound(prefix + '\uffff')];
  };
  const hasWordIn = (ids: Int32Array, from: number, to: number): boolean => {
    for (let k = 0; k < ids.length; k++) if (ids[k] >= from && ids[k] < to) return true;
    return false;
  };

  /** Exact-word id range (empty when the word is unknown). */
  const wordRange = (word: string): [number, number] => {
    const id = wordId.get(word);
    return id === undefined ? [0, 0] : [id, id + 1];
  };

  const run = (
    queryWords: readonly string[],
    ranges: readonly (readonly [number, number])[],
    soft: readonly boolean[],
    preferredKinds: ReadonlySet<GazetteerKind>,
    kinds: ReadonlySet<GazetteerKind> | null,
    limit: number,
  ): number[] => {
    for (let w = 0; w < queryWords.length; w++) if (!soft[w] && ranges[w][0] === ranges[w][1]) return [];
    // Candidates come from the required word with the fewest postings.
    let pivot = -1;
    let pivotSize = Infinity;
    for (let w = 0; w < queryWords.length; w++) {
      const size = postingStart[ranges[w][1]] - postingStart[ranges[w][0]];
      if (!soft[w] && size < pivotSize) {
        pivot = w;
        pivotSize = size;
      }
    }
    generation++;
    const topEntry: number[] = [];
    const topScore: number[] = [];
    const ownMatched: string[] = [];
    const to = postingStart[ranges[pivot][1]];
    for (let k = postingStart[ranges[pivot][0]]; k < to; k++) {
      const e = postings[k];
      if (seen[e] === generation) continue;
      seen[e] = generation;
      const entry = entries[e];
      if (kinds && !kinds.has(entry.hit.kind)) continue;
      ownMatched.length = 0;
      let ok = true;
      for (let w = 0; w < queryWords.length; w++) {
        const lo = ranges[w][0];
        const hi = ranges[w][1];
        if (hasWordIn(ownIds[e], lo, hi)) ownMatched.push(queryWords[w]);
        else if (!soft[w] && !hasWordIn(parentIds[e], lo, hi)) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      let tier = 0;
      if (ownMatched.some((w) => !CONNECTORS.has(w))) {
        tier = 1;
        const own = ownMatched.length === 1 ? ownMatched[0] : ownMatched.join(' ');
        for (const variant of entry.variants) {
          if (variant === own) {
            tier = 3;
            break;
          }
          if (variant.startsWith(own)) tier = 2;
        }
      }
      // Tier, preferred kind, kind and population packed into one exact double (population < 1e10).
      const score =
        tier * 1e13 + (preferredKinds.has(entry.hit.kind) ? 1e12 : 0) + (3 - entry.kindRank) * 1e10 + Math.min(entry.population, 9.99e9);
      // Keep the best `limit` in small arrays sorted best first.
      let at = topEntry.length;
      while (at > 0 && (topScore[at - 1] < score || (topScore[at - 1] === score && nameRank[topEntry[at - 1]] > nameRank[e]))) at--;
      if (at >= limit) continue;
      topEntry.splice(at, 0, e);
      topScore.splice(at, 0, score);
      if (topEntry.length > limit) {
        topEntry.pop();
        topScore.pop();
      }
    }
    return topEntry;
  };

  const search = (query: string, options: SearchOptions = {}): GazetteerHit[] => {
    const limit = Math.max(1, Math.min(100, Math.floor(options.limit ?? 10)));
    const kinds = options.kinds && options.kinds.length > 0 ? new Set(options.kinds) : null;
    const queryWords = normalizeText(query)
      .split(' ')
      .filter(Boolean)
      .map((w) => ABBREVIATIONS.get(w) ?? w);
    if (queryWords.length === 0) return [];
    const soft = queryWords.map((w) => KIND_WORDS.has(w));
    const preferredKinds = new Set(queryWords.flatMap((w) => (KIND_WORDS.has(w) ? [KIND_WORDS.get(w) as GazetteerKind] : [])));
    if (soft.every(Boolean)) soft.fill(false); // only kind words: search them as plain words
    // As typed: whole words, except the last one which may be unfinished. If that finds
    // nothing, every word may be abbreviated.
    const last = queryWords.length - 1;
    let found = run(
      queryWords,
      queryWords.map((w, i) => (i === last ? prefixRange(w) : wordRange(w))),
      soft,
      preferredKinds,
      kinds,
      limit,
    );
    if (found.length === 0 && queryWords.length > 1)
      found = run(queryWords, queryWords.map(prefixRange), soft, preferredKinds, kinds, limit);
    return found.map((e) => entries[e].hit);
  };

  return { search, size: entries.length };
}
