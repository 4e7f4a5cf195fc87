/**
 * The vocabulary of crime records. Stored as these snake_case codes; labels live in
 * the i18n catalogues. Pure constants and types: the web client imports them too.
 */

/** Levels of the SESNSP classification (CNSP/38/15): bien jurídico afectado → tipo → subtipo → modalidad. */
export const CATALOGUE_LEVELS = ['legal_interest', 'type', 'subtype', 'modality'] as const;
export type CatalogueLevel = (typeof CATALOGUE_LEVELS)[number];

/**
 * `registered`: as received (IPH, import, API); `validated`: reviewed by an analyst;
 * `voided`: kept for the record but excluded from counts (a duplicate, not a crime).
 */
export const CRIME_STATUSES = ['registered', 'validated', 'voided'] as const;
export type CrimeStatus = (typeof CRIME_STATUSES)[number];

/** Where a record came from: a signed IPH report, a bulk import, or a direct API call. */
export const CRIME_SOURCES = ['iph', 'import', 'api'] as const;
export type CrimeSource = (typeof CRIME_SOURCES)[number];

/** H3 resolutions computed once at ingest (edge ≈ 1.2 km, 460 m, 174 m, 66 m). */
export const H3_RESOLUTIONS = [7, 8, 9, 10] as const;
export type H3Resolution = (typeof H3_RESOLUTIONS)[number];

/** Whether a classification says by itself if the crime was violent. */
export type Violence = 'violent' | 'non_violent' | null;

export type CatalogueNode = {
  code: string;
  level: CatalogueLevel;
  name: string;
  nameEn: string;
  parentCode: string | null;
  /** Ancestors from the legal interest down to the parent. */
  path: { code: string; name: string; nameEn: string }[];
  violence: Violence;
  childCount: number;
};

/**
 * A crime record: what happened, when and where — never who. Persons (victims,
 * suspects, witnesses) stay in the IPH part; a record carries no personal data.
 */
export type CrimeRecord = {
  id: string;
  /** The most specific SESNSP code known (any level of the catalogue). */
  classificationCode: string;
  /** Local date of occurrence (America/Mexico_City), YYYY-MM-DD. */
  occurredOn: string;
  /** Local time HH:MM, or null when unknown. */
  occurredTime: string | null;
  lat: number;
  lon: number;
  stateCode: string;
  municipalityCode: string;
  coloniaId: string | null;
  quadrantId: string | null;
  h3: { r7: string; r8: string; r9: string; r10: string };
  violent: boolean;
  status: CrimeStatus;
  source: CrimeSource;
  /** The IPH id (`iph`), the import job (`import`), or null (`api`). */
  sourceRef: string | null;
  /** Namespace of `sourceId`: the import mapping's dataset, the owner agency for `api`, '' for `iph`. */
  sourceDataset: string;
  /** The row's id in its source: the file's id column, the IPH id, or the caller's id. */
  sourceId: string;
  ownerAgencyId: string | null;
  createdAt: string;
};

/** Why a point or a row was not accepted; each has a message in the i18n catalogues (`crime.reason.<code>`). */
export const CRIME_REASONS = [
  'invalid_coordinates',
  'null_island',
  'swapped_coordinates',
  'missing_minus_sign',
  'outside_mexico',
  'outside_declared_state',
  'outside_jurisdiction',
  'unknown_classification',
  'violence_required',
  'violence_conflict',
  'invalid_date',
  'future_date',
  'invalid_time',
  'missing_value',
  'unknown_category',
  'invalid_number',
  'invalid_violence',
  'unbalanced_quotes',
  'text_after_quote',
  'ragged_row',
  'invalid_encoding',
  'record_too_long',
  'invalid_feature',
  'not_a_point',
] as const;
export type CrimeReason = (typeof CRIME_REASONS)[number];

// ── bulk imports ────────────────────────────────────────────────────────────
export const IMPORT_FORMATS = ['csv', 'geojson'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
/** `auto` detects: UTF-8 when the bytes are valid UTF-8, else Windows-1252. */
export const IMPORT_ENCODINGS = ['auto', 'utf-8', 'windows-1252', 'latin1'] as const;
export type ImportEncoding = (typeof IMPORT_ENCODINGS)[number];
export const IMPORT_DELIMITERS = ['auto', ',', ';', '\t'] as const;
export type ImportDelimiter = (typeof IMPORT_DELIMITERS)[number];
/** `interrupted`: the upload stopped early (connection cut, server killed); it resumes from its committed position. */
export const IMPORT_STATUSES = ['pending', 'running', 'interrupted', 'completed', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
