/**
 * The vocabulary of the homologated police report (IPH), the detention register and
 * the chain of custody: stored as these snake_case codes, labelled in the i18n
 * catalogues (`iph.*`, `detention.*`, `evidence.*`). Pure constants, so the web client
 * bundles them. Field-by-field sources: docs/iph.md.
 */

export const IPH_STATUSES = ['draft', 'signed'] as const;
export type IphStatus = (typeof IPH_STATUSES)[number];

/**
 * The parts of the IPH for probably criminal facts (format 2020): sections 1–5 and
 * annexes A–G. `annexA` (detentions) is not typed into the IPH: it is the detention
 * register's data, copied into the IPH when it is signed.
 */
export const IPH_PARTS = [
  'handover', // Sección 1. Puesta a disposición
  'responder', // Sección 2. Primer respondiente
  'knowledge', // Sección 3. Conocimiento del hecho
  'place', // Sección 4. Lugar de la intervención
  'narrative', // Sección 5. Narrativa de los hechos
  'annexA', // Anexo A. Detenciones
  'annexB', // Anexo B. Informe del uso de la fuerza
  'annexC', // Anexo C. Inspección de vehículo
  'annexD', // Anexo D. Inventario de armas y objetos
  'annexE', // Anexo E. Entrevistas
  'annexF', // Anexo F. Entrega-recepción del lugar de la intervención
  'annexG', // Anexo G. Continuación de la narrativa
] as const;
export type IphPart = (typeof IPH_PARTS)[number];
/** The parts its authors type (and amend); annex A comes from the detention register. */
export const IPH_EDITABLE_PARTS = IPH_PARTS.filter((p) => p !== 'annexA') as Exclude<IphPart, 'annexA'>[];
export type IphEditablePart = Exclude<IphPart, 'annexA'>;

/** Sección 2: the institution of the first responder, as the 2020 format lists them. */
export const RESPONDER_INSTITUTIONS = [
  'guardia_nacional',
  'policia_federal_ministerial',
  'policia_ministerial',
  'policia_mando_unico',
  'policia_estatal',
  'policia_municipal',
  'otra',
] as const;

/** Sección 3: how the first responder learnt of the facts. */
export const KNOWLEDGE_MODES = ['complaint', 'flagrancy', 'location', 'discovery', 'contribution', 'emergency_call', 'other'] as const;

/** Sección 4.2: risk found at the place. */
export const PLACE_RISKS = ['none', 'social', 'natural'] as const;

export const SEXES = ['female', 'male', 'other'] as const;

/** Anexo E: in what capacity the person was interviewed. */
export const INTERVIEW_ROLES = ['victim', 'complainant', 'witness', 'other'] as const;

/** Anexo C. */
export const VEHICLE_TYPES = ['land', 'water', 'air'] as const;
export const VEHICLE_ORIGINS = ['national', 'foreign'] as const;
export const VEHICLE_USES = ['private', 'public_transport', 'cargo'] as const;
export const VEHICLE_STATUSES = ['reported_stolen', 'not_reported', 'unknown'] as const;

/** Anexo D: handed in by someone (aportación) or found in an inspection, and where. */
export const ITEM_SOURCES = ['contribution', 'inspection'] as const;
export const FOUND_IN = ['place', 'person', 'vehicle'] as const;
export const WEAPON_KINDS = ['short', 'long'] as const;

/** Registro Nacional de Detenciones: the legal ground of a detention (LNRD art. 17; administrative arrests are not criminal IPHs). */
export const DETENTION_KINDS = ['flagrancy', 'arrest_warrant', 'urgent_case'] as const;
export type DetentionKind = (typeof DETENTION_KINDS)[number];
export const DETENTION_STATUSES = ['in_custody', 'handed_over'] as const;
export type DetentionStatus = (typeof DETENTION_STATUSES)[number];

/** Kinds of evidence item (indicio o elemento material probatorio), for the chain-of-custody form. */
export const EVIDENCE_KINDS = [
  'firearm',
  'ammunition',
  'bladed_weapon',
  'narcotic',
  'vehicle',
  'document',
  'electronic_device',
  'biological',
  'clothing',
  'cash',
  'other',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** Why an item changes hands. */
export const CUSTODY_PURPOSES = [
  'transport',
  'storage',
  'expert_analysis',
  'prosecutor',
  'court',
  'return',
  'destruction',
  'other',
] as const;
export type CustodyPurpose = (typeof CUSTODY_PURPOSES)[number];

/** What a broken chain (IPH amendments, custody) reports, with the number of the first bad link (0 = the original record). */
export const CHAIN_PROBLEMS = ['modified', 'deleted', 'reordered'] as const;
export type ChainProblem = (typeof CHAIN_PROBLEMS)[number];

export const NARRATIVE_MAX = 20_000;
export const NOTE_MAX = 4_000;
export const SHORT_TEXT_MAX = 300;
