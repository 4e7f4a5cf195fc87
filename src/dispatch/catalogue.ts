/**
 * The national catalogue of emergency incidents (Catálogo Nacional de Incidentes de Emergencia,
 * CNIE) that every 9-1-1 centre must classify calls with: loading, search for the call-taker,
 * the unit capabilities each type needs, and which types count as "the same emergency" when
 * looking for duplicate calls.
 *
 * Edition exposed by default: **v3 (the v2.x table with the v3.0 changes applied)**. v3.0
 * (SESNSP, June 2024) is the edition in force, and centres are moving to it. We ship no complete
 * v3 table, only the complete v2.x table (279 codes) plus a list of the v3 changes (see
 * `data/README.md`), so the v3 catalogue is built by applying the changes to v2:
 * - `added` codes are added (with `version: 'v3'`);
 * - `renamed` / `priority` rows replace the name / priority of the v2 code (`version: 'v3'`);
 * - `reclassified` v2 codes are kept (old records and old clients still carry them) but marked
 *   with `replacedBy`; search leaves them out and {@link getType} resolves them;
 * - `absent-in-v3-source` codes are kept as they are in v2 and flagged `absentInV3Source`: the
 *   v3 source most likely just lacks them (the whole Rescate subtype is one of them);
 * - the new type/subtype names (type 7 "Mal uso del servicio", …) apply to every code in force.
 * Where the v3 source gives no priority (31201–31203, which take over 50201–50203, and the
 * 30304 "priority" row), the priority of the v2 code is kept.
 * `loadCatalogue({ edition: 'v2' })` gives the untouched v2 table, for old records and tests.
 *
 * Everything here is pure apart from {@link loadCatalogue}, which reads the two CSV files.
 */
import { readFileSync } from 'node:fs';
import { CAPABILITIES, PRIORITIES } from './dispatch.types.js';
import type { Capability, Priority } from './dispatch.types.js';

// ---------------------------------------------------------------------------------------------
// Types

/** Catalogue edition: the v2.x table, or v2 with the v3.0 changes applied. */
export type CatalogueVersion = 'v2' | 'v3';

/** Kind of row of the v3 changes file. */
export type CatalogueChange = 'added' | 'renamed' | 'priority' | 'reclassified' | 'absent-in-v3-source';

/** One incident type of the catalogue. */
export interface CatalogueEntry {
  /** Five digits, `T SS NN`, e.g. `"10104"`. */
  readonly code: string;
  /** One digit: 1 Médico, 2 Protección Civil, 3 Seguridad, 4 Servicios Públicos, 5 Asistencia, 6 Otros Servicios, 7 Improcedentes / Mal uso. */
  readonly typeCode: string;
  readonly typeName: string;
  /** Three digits, e.g. `"101"`. */
  readonly subtypeCode: string;
  readonly subtypeName: string;
  /** Display name in sentence case with accents, e.g. "Accidente de vehículo automotor con lesionados". */
  readonly nameEs: string;
  /** The name exactly as the source gives it (v2: upper case without accents). */
  readonly sourceNameEs: string;
  /** English gloss (not an official translation). */
  readonly nameEn: string;
  readonly priority: Priority;
  /**
   * True for calls that are not emergencies and open no incident: type 7 (v2 "Improcedentes",
   * v3 "Mal uso del servicio") and the v3 subtype 602 "Gestión del servicio" (test, incomplete,
   * transferred and follow-up calls, information requests, 60205 repeat call about an incident
   * already reported, drills…).
   */
  readonly improper: boolean;
  /** Edition the entry's current wording comes from: `'v3'` when a v3 change row set it. */
  readonly version: CatalogueVersion;
  /** Code that replaces this one in v3 (reclassified / moved v2 codes). Not in force. */
  readonly replacedBy?: string;
  /** Kept from v2, but the v3 source lacks it: check against the official v3.0 PDF. */
  readonly absentInV3Source?: boolean;
  /** The v3 change applied to this code, if any. */
  readonly change?: CatalogueChange;
  /** Note of the change row (e.g. "moved from v2 70102"). */
  readonly note?: string;
}

/** A loaded catalogue edition. Entries are sorted by code and include replaced ones. */
export interface Catalogue {
  readonly edition: CatalogueVersion;
  readonly entries: readonly CatalogueEntry[];
  readonly byCode: ReadonlyMap<string, CatalogueEntry>;
}

// ---------------------------------------------------------------------------------------------
// Loading

const DATA_FILES = {
  v2: 'catalogo-incidentes.csv',
  v3Changes: 'catalogo-incidentes-v3-cambios.csv',
} as const;

/**
 * Reads the shipped CSVs (`./data/`) and builds the catalogue. Default edition `'v3'` (see the
 * module comment for why and how).
 */
export function loadCatalogue(options: { edition?: CatalogueVersion } = {}): Catalogue {
  const read = (file: string): string => readFileSync(new URL(`./data/${file}`, import.meta.url), 'utf8');
  const edition = options.edition ?? 'v3';
  return buildCatalogue(read(DATA_FILES.v2), edition === 'v3' ? read(DATA_FILES.v3Changes) : null);
}

let cachedDefault: Catalogue | null = null;

/** The v3 catalogue, loaded once per process (the files never change at run time). */
export function defaultCatalogue(): Catalogue {
  cachedDefault ??= loadCatalogue();
  return cachedDefault;
}

/**
 * Builds a catalogue from the text of the v2 CSV and, for the v3 edition, of the changes CSV
 * (`null` gives the v2 edition). Throws on malformed rows: the files are shipped with the code.
 */
export function buildCatalogue(v2Csv: string, v3ChangesCsv: string | null): Catalogue {
  const entries = new Map<string, CatalogueEntry>();
  for (const row of csvRecords(v2Csv)) {
    const code = checkCode(row.code);
    entries.set(code, {
      code,
      typeCode: code.slice(0, 1),
      typeName: row.category,
      subtypeCode: code.slice(0, 3),
      subtypeName: row.subcategory,
      nameEs: properSpanish(row.name_es),
      sourceNameEs: row.name_es,
      nameEn: row.name_en,
      priority: checkPriority(row.priority, code),
      improper: isImproper(code),
      version: 'v2',
    });
  }
  if (v3ChangesCsv !== null) applyV3Changes(entries, csvRecords(v3ChangesCsv));
  const sorted = [...entries.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return { edition: v3ChangesCsv === null ? 'v2' : 'v3', entries: sorted, byCode: new Map(sorted.map((e) => [e.code, e])) };
}

function applyV3Changes(entries: Map<string, CatalogueEntry>, rows: Record<string, string>[]): void {
  const v2 = new Map(entries);
  // Type and subtype names as v3 gives them (type 7 renamed, new subtypes 312 and 602).
  const typeNames = new Map<string, string>();
  const subtypeNames = new Map<string, string>();
  for (const row of rows) {
    const code = checkCode(row.code);
    if (row.change === 'reclassified') continue; // those rows carry the old names
    typeNames.set(code.slice(0, 1), row.category);
    subtypeNames.set(code.slice(0, 3), row.subcategory);
  }
  for (const row of rows) {
    const code = checkCode(row.code);
    const change = row.change as CatalogueChange;
    const old = v2.get(code);
    const note = row.note || undefined;
    switch (change) {
      case 'added': {
        if (old) throw new Error(`CNIE v3: added code ${code} already exists in v2`);
        // Rows without a priority take over a v2 code ("target of v2 50201"): keep its priority.
        const fromCode = /\bv2 (\d{5})\b/.exec(row.note)?.[1];
        const priority = row.priority ? checkPriority(row.priority, code) : fromCode && v2.get(fromCode)?.priority;
        if (!priority) throw new Error(`CNIE v3: no priority for added code ${code}`);
        entries.set(code, {
          code,
          typeCode: code.slice(0, 1),
          typeName: row.category,
          subtypeCode: code.slice(0, 3),
          subtypeName: row.subcategory,
          nameEs: properSpanish(row.name_es),
          sourceNameEs: row.name_es,
          nameEn: row.name_en,
          priority,
          improper: isImproper(code),
          version: 'v3',
          change,
          ...(note ? { note } : {}),
        });
        break;
      }
      case 'renamed':
      case 'priority': {
        if (!old) throw new Error(`CNIE v3: ${change} code ${code} is not in v2`);
        const renamed = change === 'renamed';
        entries.set(code, {
          ...old,
          nameEs: renamed ? properSpanish(row.name_es) : old.nameEs,
          sourceNameEs: renamed ? row.name_es : old.sourceNameEs,
          nameEn: renamed ? row.name_en : old.nameEn,
          // An empty priority (30304: "v3-era source gives no priority") keeps the v2 one.
          priority: row.priority ? checkPriority(row.priority, code) : old.priority,
          version: 'v3',
          change,
          ...(note ? { note } : {}),
        });
        break;
      }
      case 'reclassified': {
        if (!old) throw new Error(`CNIE v3: reclassified code ${code} is not in v2`);
        const target = /->\s*(\d{5})/.exec(row.note)?.[1];
        if (!target) throw new Error(`CNIE v3: no target code for reclassified ${code}`);
        entries.set(code, { ...old, replacedBy: target, change, ...(note ? { note } : {}) });
        break;
      }
      case 'absent-in-v3-source': {
        if (!old) throw new Error(`CNIE v3: absent code ${code} is not in v2`);
        entries.set(code, { ...old, absentInV3Source: true, change, ...(note ? { note } : {}) });
        break;
      }
      default:
        throw new Error(`CNIE v3: unknown change "${String(row.change)}" for ${code}`);
    }
  }
  for (const [code, entry] of entries) {
    if (entry.replacedBy) continue;
    const typeName = typeNames.get(entry.typeCode) ?? entry.typeName;
    const subtypeName = subtypeNames.get(entry.subtypeCode) ?? entry.subtypeName;
    if (typeName !== entry.typeName || subtypeName !== entry.subtypeName) entries.set(code, { ...entry, typeName, subtypeName });
  }
  for (const entry of entries.values()) {
    if (entry.replacedBy && !entries.get(entry.replacedBy)) throw new Error(`CNIE v3: ${entry.code} -> unknown ${entry.replacedBy}`);
  }
}

function isImproper(code: string): boolean {
  return code.startsWith('7') || code.startsWith('602');
}

function checkCode(value: string | undefined): string {
  if (!value || !/^[1-7]\d{4}$/.test(value)) throw new Error(`CNIE: bad code "${String(value)}"`);
  return value;
}

function checkPriority(value: string | undefined, code: string): Priority {
  const p = PRIORITIES.find((x) => x === value);
  if (!p) throw new Error(`CNIE: bad priority "${String(value)}" for ${code}`);
  return p;
}

/** RFC 4180 CSV (quoted fields may hold commas, quotes doubled) to records keyed by the header. */
function csvRecords(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (src[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows.filter((r) => r.length > 1 || r[0] !== '');
  if (!header) return [];
  return body.map((cells, n) => {
    if (cells.length !== header.length) throw new Error(`CSV row ${n + 2}: ${cells.length} fields, expected ${header.length}`);
    return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  });
}

// ---------------------------------------------------------------------------------------------
// Display names

/** Accented forms of the words the v2 source writes without accents (all of them, checked). */
const ACCENTED: Readonly<Record<string, string>> = {
  activacion: 'activación',
  acuatico: 'acuático',
  afectacion: 'afectación',
  agresion: 'agresión',
  alteracion: 'alteración',
  amputacion: 'amputación',
  arbol: 'árbol',
  asociacion: 'asociación',
  automatico: 'automático',
  basicos: 'básicos',
  biologico: 'biológico',
  boton: 'botón',
  caida: 'caída',
  caido: 'caído',
  cardiologica: 'cardiológica',
  ciudadania: 'ciudadanía',
  clinicos: 'clínicos',
  comercializacion: 'comercialización',
  comunicacion: 'comunicación',
  concentracion: 'concentración',
  contaminacion: 'contaminación',
  corrupcion: 'corrupción',
  craneo: 'cráneo',
  descompensacion: 'descompensación',
  deshidratacion: 'deshidratación',
  detonacion: 'detonación',
  electrica: 'eléctrica',
  embarcacion: 'embarcación',
  erupcion: 'erupción',
  estrategica: 'estratégica',
  etilica: 'etílica',
  explosion: 'explosión',
  explotacion: 'explotación',
  exposicion: 'exposición',
  extorsion: 'extorsión',
  extravio: 'extravío',
  fabrica: 'fábrica',
  fetidos: 'fétidos',
  fisica: 'física',
  frios: 'fríos',
  habitacion: 'habitación',
  intoxicacion: 'intoxicación',
  jovenes: 'jóvenes',
  juridicos: 'jurídicos',
  lesion: 'lesión',
  manifestacion: 'manifestación',
  medicos: 'médicos',
  motin: 'motín',
  multiple: 'múltiple',
  multiples: 'múltiples',
  neurologica: 'neurológica',
  notificacion: 'notificación',
  organos: 'órganos',
  pacifica: 'pacífica',
  pirateria: 'piratería',
  portacion: 'portación',
  privacion: 'privación',
  publica: 'pública',
  publico: 'público',
  publicos: 'públicos',
  quimicas: 'químicas',
  rio: 'río',
  rondin: 'rondín',
  semaforo: 'semáforo',
  situacion: 'situación',
  sustraccion: 'sustracción',
  telefonica: 'telefónica',
  torax: 'tórax',
  toxicos: 'tóxicos',
  trafico: 'tráfico',
  transeunte: 'transeúnte',
  transito: 'tránsito',
  usurpacion: 'usurpación',
  vehiculo: 'vehículo',
  vehiculos: 'vehículos',
  via: 'vía',
  vias: 'vías',
  violacion: 'violación',
  volcanicas: 'volcánicas',
};

/**
 * Sentence case with accents for an all-capitals source name ("ACCIDENTE DE VEHICULO" →
 * "Accidente de vehículo"); names already in mixed case (v3 rows) are kept as they are.
 */
export function properSpanish(source: string): string {
  if (/\p{Ll}/u.test(source)) return source;
  let text = source.toLowerCase().replace(/\p{L}+/gu, (w) => ACCENTED[w] ?? w);
  // "CALLE" is an acronym (the 9-1-1 centres) after "estado/", a street elsewhere.
  if (source.includes('/CALLE')) text = text.replace('/calle', '/CALLE');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Look-up

/**
 * The entry in force for `code`: a replaced v2 code (e.g. `70102`) resolves to its v3
 * replacement (`60201`); `null` for an unknown code. Uses the default v3 catalogue unless given one.
 */
export function getType(code: string, cat: Catalogue = defaultCatalogue()): CatalogueEntry | null {
  let entry = cat.byCode.get(code.trim()) ?? null;
  for (let hops = 0; entry?.replacedBy && hops < 5; hops++) entry = cat.byCode.get(entry.replacedBy) ?? null;
  return entry;
}

// ---------------------------------------------------------------------------------------------
// Search

/** How a search hit matched, best first. */
export type SearchMatch = 'code' | 'code_prefix' | 'words' | 'partial';

/** One search hit. */
export interface CatalogueHit {
  readonly entry: CatalogueEntry;
  readonly match: SearchMatch;
  /** Higher is better within the same `match`. */
  readonly score: number;
}

/** Lower-case, accents removed, "(s)" plural marks folded, punctuation to spaces. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\(s\)/g, 's')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const STOP_WORDS = new Set(['de', 'del', 'la', 'las', 'el', 'los', 'en', 'a', 'al', 'y', 'o', 'u', 'e', 'por', 'para', 'un', 'una']);

// Longest first; a suffix is removed only when at least 4 letters remain.
// prettier-ignore
const SUFFIXES = [
  'amientos', 'imientos', 'amiento', 'imiento', 'aciones', 'iciones', 'ciones', 'acion', 'icion', 'cion',
  'adas', 'ados', 'idas', 'idos', 'ada', 'ado', 'ida', 'ido', 'es', 'as', 'os', 'a', 'o', 'e', 's',
];

/** A light Spanish stem, enough to equate atropellado/atropellamiento, lesionado/lesionadas. */
function stem(word: string): string {
  for (const s of SUFFIXES) if (word.endsWith(s) && word.length - s.length >= 4) return word.slice(0, -s.length);
  return word;
}

/**
 * Colloquial words a caller or call-taker uses for catalogue words. Each value lists phrases
 * (normalized); a query word matches an entry when every word of one phrase does. Matches
 * through a synonym rank below direct ones.
 */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  choque: ['accidente', 'colision'],
  choco: ['accidente'],
  chocaron: ['accidente'],
  colision: ['accidente'],
  carambola: ['accidente multiple'],
  balacera: ['detonacion arma fuego', 'proyectil arma fuego', 'enfrentamiento armados'],
  balazo: ['proyectil arma fuego', 'detonacion arma fuego'],
  balazos: ['detonacion arma fuego', 'proyectil arma fuego'],
  disparo: ['detonacion arma fuego', 'proyectil arma fuego'],
  disparos: ['detonacion arma fuego', 'proyectil arma fuego'],
  tiroteo: ['detonacion arma fuego', 'enfrentamiento armados'],
  balaceado: ['proyectil arma fuego'],
  cuchillo: ['arma blanca'],
  navaja: ['arma blanca'],
  apunalado: ['arma blanca'],
  acuchillado: ['arma blanca'],
  carro: ['vehiculo'],
  coche: ['vehiculo'],
  auto: ['vehiculo'],
  automovil: ['vehiculo'],
  camioneta: ['vehiculo'],
  camion: ['autotransporte', 'pasajeros'],
  lumbre: ['incendio'],
  fuego: ['incendio'],
  quemando: ['incendio', 'quema'],
  pelea: ['rina', 'agresion'],
  pleito: ['rina', 'agresion'],
  golpes: ['agresion', 'rina'],
  golpeado: ['agresion', 'lesionado'],
  asalto: ['robo'],
  asaltaron: ['robo'],
  atraco: ['robo'],
  ladron: ['robo'],
  secuestro: ['privacion libertad'],
  secuestrado: ['privacion libertad'],
  herido: ['lesionado'],
  heridos: ['lesionado'],
  herida: ['lesionado'],
  muerto: ['fallecido', 'cadaver'],
  muertos: ['fallecido', 'cadaver'],
  cadaver: ['fallecido', 'restos humanos'],
  borracho: ['ebrio', 'alcoholizada', 'etilica'],
  desmayo: ['inconsciente'],
  desmayado: ['inconsciente'],
  desmayada: ['inconsciente'],
  corazon: ['cardiologica', 'infarto'],
  cardiaco: ['cardiologica', 'infarto'],
  embolia: ['infarto cerebral'],
  temblor: ['sismo'],
  terremoto: ['sismo'],
  perdido: ['extraviado', 'no localizada'],
  perdida: ['extraviado', 'no localizada'],
  desaparecido: ['desaparecida', 'no localizada'],
  bomberos: ['incendio'],
  ambulancia: ['urgencia'],
};

/**
 * Single-word queries whose everyday meaning is one code: "infarto" alone means a heart attack
 * (a stroke is "infarto cerebral" or "embolia"). The code gets a small bonus within its rank.
 */
const PREFERRED: Readonly<Record<string, string>> = { infarto: '10314', choque: '10104', balacera: '30202', incendio: '20301' };

interface SearchIndex {
  /** Distinct normalized name words, sorted: a prefix matches one contiguous range. */
  readonly vocabulary: readonly string[];
  readonly stemIds: ReadonlyMap<string, readonly number[]>;
  /** Per vocabulary id, the items whose name has the word. */
  readonly postings: readonly (readonly number[])[];
  readonly items: readonly IndexedEntry[];
  readonly inForce: readonly CatalogueEntry[];
  /** Most words in one name (size of a scratch buffer). */
  readonly maxWords: number;
  /** Match levels per query word, kept across searches (call-takers retype the same words). */
  readonly levelCache: Map<string, WordMatches>;
}

interface IndexedEntry {
  readonly entry: CatalogueEntry;
  readonly norm: string;
  /** Vocabulary ids of the name's words, in order. */
  readonly wordIds: Int32Array;
  /** Number of words that are not stop words. */
  readonly contentWords: number;
}

/** How one query word matches the vocabulary: level per id (4 exact, 3 prefix, 2 stem, 0 none). */
interface WordMatches {
  readonly levels: Uint8Array;
  readonly ids: readonly number[];
}

const indexes = new WeakMap<Catalogue, SearchIndex>();
const LEVEL_CACHE_MAX = 4096;

function searchIndex(cat: Catalogue): SearchIndex {
  let index = indexes.get(cat);
  if (index) return index;
  const inForce = cat.entries.filter((e) => !e.replacedBy);
  const names = inForce.map((entry) => {
    const norm = normalizeText(entry.nameEs);
    return { entry, norm, words: norm.split(' ').filter(Boolean) };
  });
  const vocabulary = [...new Set(names.flatMap((n) => n.words))].sort();
  const ids = new Map(vocabulary.map((w, i) => [w, i]));
  const stemIds = new Map<string, number[]>();
  vocabulary.forEach((w, i) => {
    const s = stem(w);
    const list = stemIds.get(s);
    if (list) list.push(i);
    else stemIds.set(s, [i]);
  });
  const postings: number[][] = vocabulary.map(() => []);
  const items = names.map(({ entry, norm, words }, itemNo): IndexedEntry => {
    const wordIds = Int32Array.from(words, (w) => ids.get(w)!);
    for (const id of new Set(wordIds)) postings[id].push(itemNo);
    return { entry, norm, wordIds, contentWords: words.filter((w) => !STOP_WORDS.has(w)).length };
  });
  const maxWords = Math.max(0, ...items.map((i) => i.wordIds.length));
  index = { vocabulary, stemIds, postings, items, inForce, maxWords, levelCache: new Map() };
  indexes.set(cat, index);
  return index;
}

const PRIORITY_RANK: Record<Priority, number> = { ALTA: 0, MEDIA: 1, BAJA: 2 };
const MATCH_RANK: Record<SearchMatch, number> = { code: 0, code_prefix: 1, words: 2, partial: 3 };

/** First index of a sorted array whose value is ≥ `key`. */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Match levels of one query word against the vocabulary: exact 4, word prefix 3, same stem 2. */
function wordMatches(index: SearchIndex, word: string): WordMatches {
  const cached = index.levelCache.get(word);
  if (cached) return cached;
  const { vocabulary } = index;
  const levels = new Uint8Array(vocabulary.length);
  const ids: number[] = [];
  const set = (id: number, level: number): void => {
    if (levels[id] === 0) ids.push(id);
    if (level > levels[id]) levels[id] = level;
  };
  const prefixRange = (prefix: string, level: number): void => {
    for (let i = lowerBound(vocabulary, prefix); i < vocabulary.length && vocabulary[i].startsWith(prefix); i++) set(i, level);
  };
  const wordStem = stem(word);
  // A one-letter prefix would match half the vocabulary.
  if (word.length >= 2) prefixRange(word, 3);
  const exact = lowerBound(vocabulary, word);
  if (vocabulary[exact] === word) set(exact, 4);
  for (const id of index.stemIds.get(wordStem) ?? []) set(id, 2);
  if (wordStem.length >= 5) prefixRange(wordStem, 2);
  const result = { levels, ids };
  if (index.levelCache.size >= LEVEL_CACHE_MAX) index.levelCache.clear();
  index.levelCache.set(word, result);
  return result;
}

/**
 * Finds catalogue types for the call-taker's input, best first.
 *
 * - Digits only: an exact code first (a replaced v2 code gives its v3 replacement), then the
 *   codes starting with them (`"103"` lists subtype 103, `"1"` type 1), in code order.
 * - Words, accent- and case-insensitive, stop words ignored: `words` hits have every query word
 *   as a word (exact, word prefix, same stem, or through a colloquial synonym) of the name;
 *   `partial` hits have some, or contain a query word of 4+ letters inside a word. Within a
 *   rank: more and better word matches, the name starting with the first query word, a few
 *   everyday preferences ({@link PREFERRED}), then the share of the name's words that matched,
 *   then ALTA before MEDIA before BAJA, then code.
 *
 * Replaced (reclassified) codes are left out of word searches. Names are normalized and
 * indexed once per catalogue (sorted vocabulary, postings), so a typical search takes some tens
 * of microseconds.
 */
export function searchCatalogue(cat: Catalogue, query: string, limit = 20): CatalogueHit[] {
  const q = query.trim();
  if (!q || limit <= 0) return [];
  const index = searchIndex(cat);
  if (/^\d{1,5}$/.test(q)) return searchCode(cat, index, q, limit);

  const tokens = normalizeText(q).split(' ').filter(Boolean);
  const content = tokens.filter((t) => !STOP_WORDS.has(t));
  const words = content.length > 0 ? content : tokens;
  if (words.length === 0) return [];
  const preferred = words.length === 1 ? PREFERRED[words[0]] : undefined;

  // Per query word, its alternatives: the word itself, then its synonym phrases.
  const alternatives = words.map((w) => [
    { synonym: false, words: [wordMatches(index, w)] },
    ...(SYNONYMS[w] ?? []).map((phrase) => ({ synonym: true, words: phrase.split(' ').map((p) => wordMatches(index, p)) })),
  ]);

  // Candidates: items having a matched word, or (for a query word matching no word) holding it
  // inside a word.
  const candidates = new Set<number>();
  alternatives.forEach((alts, t) => {
    let any = false;
    for (const alt of alts)
      for (const m of alt.words)
        for (const id of m.ids) {
          any = true;
          for (const item of index.postings[id]) candidates.add(item);
        }
    if (!any && words[t].length >= 4) index.items.forEach((item, i) => item.norm.includes(words[t]) && candidates.add(i));
  });

  const hits: CatalogueHit[] = [];
  const matchedWords = new Uint8Array(index.maxWords);
  for (const itemNo of candidates) {
    const item = index.items[itemNo];
    const ids = item.wordIds;
    matchedWords.fill(0, 0, ids.length);
    let matchedTokens = 0;
    let levelSum = 0;
    let startsWithFirst = false;
    for (let t = 0; t < alternatives.length; t++) {
      let best = 0;
      for (const alt of alternatives[t]) {
        // A phrase matches at the level of its weakest word; each word takes its best name word.
        let phraseLevel = 4;
        for (const m of alt.words) {
          let wordBest = 0;
          for (let k = 0; k < ids.length; k++) if (m.levels[ids[k]] > wordBest) wordBest = m.levels[ids[k]];
          if (wordBest < phraseLevel) phraseLevel = wordBest;
          if (phraseLevel === 0) break;
        }
        if (phraseLevel === 0) continue;
        if (alt.synonym) phraseLevel = 1;
        if (phraseLevel > best) best = phraseLevel;
        for (const m of alt.words) for (let k = 0; k < ids.length; k++) if (m.levels[ids[k]] > 0) matchedWords[k] = 1;
      }
      if (best > 0) {
        matchedTokens++;
        levelSum += best;
        if (t === 0 && alternatives[0][0].words[0].levels[ids[0]] > 0) startsWithFirst = true;
      }
    }
    if (matchedTokens === 0 && !words.some((w) => w.length >= 4 && item.norm.includes(w))) continue;
    const match: SearchMatch = matchedTokens === words.length ? 'words' : 'partial';
    let covered = 0;
    for (let k = 0; k < ids.length; k++) if (matchedWords[k] && !STOP_WORDS.has(index.vocabulary[ids[k]])) covered++;
    const score =
      matchedTokens * 100 +
      levelSum * 10 +
      (startsWithFirst ? 8 : 0) +
      (preferred === item.entry.code ? 6 : 0) +
      (item.contentWords > 0 ? (5 * covered) / item.contentWords : 0);
    hits.push({ entry: item.entry, match, score });
  }
  hits.sort(
    (a, b) =>
      MATCH_RANK[a.match] - MATCH_RANK[b.match] ||
      b.score - a.score ||
      PRIORITY_RANK[a.entry.priority] - PRIORITY_RANK[b.entry.priority] ||
      (a.entry.code < b.entry.code ? -1 : 1),
  );
  return hits.slice(0, limit);
}

function searchCode(cat: Catalogue, index: SearchIndex, q: string, limit: number): CatalogueHit[] {
  const hits: CatalogueHit[] = [];
  const exact = q.length === 5 ? getType(q, cat) : null;
  if (exact) hits.push({ entry: exact, match: 'code', score: 0 });
  for (const entry of index.inForce) {
    if (hits.length >= limit) break;
    if (entry.code.startsWith(q) && entry !== exact) hits.push({ entry, match: 'code_prefix', score: 0 });
  }
  return hits.slice(0, limit);
}

// ---------------------------------------------------------------------------------------------
// Capabilities

/** Does the normalized, space-padded name contain the phrase (its last word as a prefix)? */
function has(padded: string, ...phrases: string[]): boolean {
  return phrases.some((p) => padded.includes(` ${p}`));
}

// Time-critical conditions for an advanced-life-support ambulance (and not a death).
const ALS_PHRASES = [
  'paro cardiorrespiratorio',
  'infarto',
  'dificultad respiratoria',
  'inconsciente',
  'ahogamiento',
  'asfixia',
  'atragantamiento',
  'electrocut',
  'proyectil',
  'arma blanca',
  'traumatismos multiples',
  'traumatismo de craneo',
  'traumatismo de torax',
  'sobredosis',
  'golpe de calor',
];
const DEATH_PHRASES = ['fallecid', 'muert', 'cadaver'];
const ROAD_PHRASES = ['vehiculo', 'motocicleta', 'multiple', 'pasajeros', 'atropell', 'autotransporte', 'traccion humana'];
// Seguridad types that are a matter for traffic police.
const TRAFFIC_PHRASES = [
  'accidente de',
  'transito',
  'circular en sentido',
  'arrancones',
  'exceso de velocidad',
  'vehiculo descompuesto',
  'jugadores en via',
  'bloqueo o corte de vias',
  'conductor ebrio',
];
const HAZMAT_PHRASES = [
  'materiales peligrosos',
  'material peligroso',
  'sustancias peligrosas',
  'radioactiv',
  'radiactiv',
  'riesgo biologico',
  'fuga',
  'derrame',
  'gases toxicos',
  'quimica',
  'ductos',
];

/**
 * What unit capabilities an incident type needs (a dispatch is complete when the assigned
 * units together have all of them). Deterministic rules on the type, subtype and name words;
 * the table is in `data/README.md`. Result in {@link CAPABILITIES} order.
 *
 * - 1 Médico: `medical`; + `advanced_life_support` for arrest, infarct, respiratory
 *   difficulty, unconsciousness, drowning, asphyxia/choking, electrocution, gunshot/stab wounds,
 *   multiple/head/chest trauma, overdose, heat stroke (not for deaths); + `police` for deaths,
 *   violence (weapons, brawls, blunt objects), mental-health crises and the accidents of subtype
 *   101 (except hazardous materials); + `traffic` for road accidents; + `rescue` for water, vessel,
 *   railway and aircraft accidents; + `fire` for aircraft; + `hazmat` for hazardous, radioactive
 *   or biological materials.
 * - 2 Protección Civil: `fire` for fires (subtype 203), burning, explosions; `rescue` for
 *   subtype 204, trapped persons, rescues, landslides; `hazmat` for hazardous substances, leaks,
 *   spills, toxic gases; `civil_protection` when none of those applies.
 * - 3 Seguridad: `police`; + `traffic` for road matters (accidents other than aircraft,
 *   wrong-way driving, street racing, speeding, broken-down vehicles, people playing on the road,
 *   road blockades, drunk drivers); + `medical` for suicide (threats), a person lying in
 *   the street and fatal traffic accidents; + `hazmat` for pipelines and hazardous material;
 *   + `fire` for firework and aircraft accidents; + `rescue` for rescues.
 * - 4 Servicios Públicos: `public_services`; + `rescue` for a collapsed roof/building,
 *   + `civil_protection` for structural damage, + `traffic` for traffic-light failures.
 * - 5 Asistencia: `civil_protection` for assistance to the public and homeless persons,
 *   `police` otherwise.
 * - 6 Otros Servicios and 7 Improcedentes / Mal uso: none.
 */
export function requiredCapabilities(entry: CatalogueEntry): Capability[] {
  const n = ` ${normalizeText(entry.nameEs)} `;
  const need = new Set<Capability>();
  const death = has(n, ...DEATH_PHRASES);
  switch (entry.typeCode) {
    case '1': {
      need.add('medical');
      const accident = entry.subtypeCode === '101';
      const hazmat = has(n, 'materiales peligrosos', 'radioactiv', 'radiactiv', 'riesgo biologico');
      if (!death && has(n, ...ALS_PHRASES)) need.add('advanced_life_support');
      if (death || has(n, 'arma', 'proyectil', 'rina', 'contundente', 'trastorno mental') || (accident && !hazmat)) need.add('police');
      if (accident && has(n, ...ROAD_PHRASES)) need.add('traffic');
      if (accident && has(n, 'acuatico', 'embarcacion', 'ferroviario', 'aeronave')) need.add('rescue');
      if (accident && has(n, 'aeronave')) need.add('fire');
      if (hazmat) need.add('hazmat');
      break;
    }
    case '2': {
      if (entry.subtypeCode === '203' || has(n, 'incendio', 'quema', 'explosion')) need.add('fire');
      if (entry.subtypeCode === '204' || has(n, 'rescate', 'atrapad', 'naufragio', 'derrumbe')) need.add('rescue');
      if (has(n, ...HAZMAT_PHRASES)) need.add('hazmat');
      if (need.size === 0) need.add('civil_protection');
      break;
    }
    case '3': {
      need.add('police');
      if (!has(n, 'aeronave') && has(n, ...TRAFFIC_PHRASES)) need.add('traffic');
      if (has(n, 'suicid', 'persona tirada') || (has(n, 'accidente') && death)) need.add('medical');
      if (has(n, 'ductos', 'material peligroso', 'radiactiv', 'radioactiv')) need.add('hazmat');
      if (has(n, 'accidente con cohetes', 'accidente de aeronave')) need.add('fire');
      if (has(n, 'rescate')) need.add('rescue');
      break;
    }
    case '4': {
      need.add('public_services');
      if (has(n, 'caida de techo')) need.add('rescue');
      if (has(n, 'dano estructural')) need.add('civil_protection');
      if (has(n, 'semaforo')) need.add('traffic');
      break;
    }
    case '5':
      need.add(has(n, 'apoyo a la', 'situacion de calle') ? 'civil_protection' : 'police');
      break;
    default:
      break;
  }
  return CAPABILITIES.filter((c) => need.has(c));
}

// ---------------------------------------------------------------------------------------------
// Related types (duplicate calls)

/**
 * Groups of codes that different callers may use for one emergency, across subtypes (codes of
 * one subtype are always related). v3 codes; replaced v2 codes are resolved before the check.
 */
// prettier-ignore
export const RELATED_TYPE_GROUPS: Readonly<Record<string, readonly string[]>> = {
  // With injured (Médico 101), without injured (Seguridad 303), with deaths (both).
  roadAccident: [
    '10103', '10104', '10107', '10108', '10109', '10110', '10111', '10112', '10116', '10121', '10122', '10123', '10124', '10127',
    '30309', '30312', '30314', '30315', '30902',
  ],
  railAccident: ['10105', '10106', '20101'],
  aircraftAccident: ['10102', '10113', '30313'],
  waterAccident: ['10101', '10114', '10115', '10117', '10201', '10228', '20401'],
  fireOrExplosion: [
    '20301', '20302', '20303', '20304', '20305', '20306', '20307', '20308', '20309', '20310', '20311', '20107', '20115', '30201',
    '10211', '10126',
  ],
  hazardousMaterials: ['10118', '10119', '10120', '20102', '20105', '20108', '20110', '20112', '20114', '20115', '30454', '30449', '31017'],
  gunfire: ['30202', '30206', '10209', '10226', '30803', '30906'],
  assault: ['10208', '10222', '10225', '10227', '30907', '30909', '31112'],
  domesticViolence: ['30502', '30503', '30505', '30506', '30903'],
  missingPerson: ['30601', '30602', '30616', '50302'],
  deadPerson: ['10317', '10219', '31201', '30906'],
  collapse: ['40101', '40112', '40113', '20109', '20202', '20402'],
  fallenTreeOrPole: ['20210', '40102', '40106'],
  flood: ['20106', '20207', '40111', '40114'],
  suicide: ['30905', '30908'],
};

const relatedPairs: ReadonlySet<string> = (() => {
  const pairs = new Set<string>();
  for (const codes of Object.values(RELATED_TYPE_GROUPS)) for (const a of codes) for (const b of codes) pairs.add(`${a}:${b}`);
  return pairs;
})();

/**
 * Whether two incident types may describe the same emergency (duplicate-call detection):
 * the same code, the same subtype, or both in one of {@link RELATED_TYPE_GROUPS}. Old v2 codes
 * are resolved to their v3 replacements first. Improper types (type 7, subtype 602) are related
 * to nothing but themselves: they open no incident. Unknown codes are related only to themselves.
 */
export function relatedTypes(a: string, b: string, cat: Catalogue = defaultCatalogue()): boolean {
  const ea = getType(a, cat);
  const eb = getType(b, cat);
  if (!ea || !eb) return a.trim() === b.trim();
  if (ea.code === eb.code) return true;
  if (ea.improper || eb.improper) return false;
  return ea.subtypeCode === eb.subtypeCode || relatedPairs.has(`${ea.code}:${eb.code}`);
}

// ---------------------------------------------------------------------------------------------
// Supervisor timers

/**
 * Default target, in seconds, from a pending incident to its first dispatch, per priority — the
 * supervisor's timer turns red past it. ALTA follows NFPA 1225 (90 % of alarms processed to
 * first dispatch within 60 s); MEDIA and BAJA are project defaults, to be tuned per centre.
 */
export const PRIORITY_TARGET_SECONDS: Readonly<Record<Priority, number>> = { ALTA: 60, MEDIA: 120, BAJA: 300 };
