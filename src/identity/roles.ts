/**
 * The vocabulary of identity: agency levels and kinds, roles, and the regions of
 * the regional fusion centres. Stored as these snake_case codes; labels live in
 * the i18n catalogues.
 */
export const AGENCY_LEVELS = ['federal', 'state', 'municipal'] as const;
export type AgencyLevel = (typeof AGENCY_LEVELS)[number];

export const AGENCY_KINDS = ['police', 'c5', 'fusion_centre', 'prosecutor', 'ems', 'fire', 'civil_protection', 'academy'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export const ROLES = [
  'call_taker',
  'dispatcher',
  'supervisor',
  'field_officer',
  'camera_operator',
  'analyst',
  'commander',
  'fusion_analyst',
  'training_officer',
  'agency_admin',
  'auditor',
  'system_admin',
  // Staff of a prosecutor's office (agency kind `prosecutor`) who receive puestas a disposición: IPHs, detainees, evidence.
  'prosecutor_liaison',
] as const;
export type Role = (typeof ROLES)[number];

export const REGIONS = ['noroeste', 'noreste', 'occidente', 'centro', 'sureste'] as const;
export type Region = (typeof REGIONS)[number];

/**
 * States (INEGI CVE_ENT) by region of the Conferencia Nacional de Secretarios de
 * Seguridad Pública, the grouping that the regional fusion centres follow. The
 * rationale and sources are in docs/identity.md.
 */
export const STATE_REGION: Record<string, Region> = {
  '02': 'noroeste', // Baja California
  '03': 'noroeste', // Baja California Sur
  '08': 'noroeste', // Chihuahua
  '10': 'noroeste', // Durango
  '25': 'noroeste', // Sinaloa
  '26': 'noroeste', // Sonora
  '05': 'noreste', // Coahuila
  '19': 'noreste', // Nuevo León
  '24': 'noreste', // San Luis Potosí
  '28': 'noreste', // Tamaulipas
  '32': 'noreste', // Zacatecas
  '01': 'occidente', // Aguascalientes
  '06': 'occidente', // Colima
  '11': 'occidente', // Guanajuato
  '14': 'occidente', // Jalisco
  '16': 'occidente', // Michoacán
  '18': 'occidente', // Nayarit
  '22': 'occidente', // Querétaro
  '09': 'centro', // Ciudad de México
  '12': 'centro', // Guerrero
  '13': 'centro', // Hidalgo
  '15': 'centro', // México
  '17': 'centro', // Morelos
  '21': 'centro', // Puebla
  '29': 'centro', // Tlaxcala
  '04': 'sureste', // Campeche
  '07': 'sureste', // Chiapas
  '20': 'sureste', // Oaxaca
  '23': 'sureste', // Quintana Roo
  '27': 'sureste', // Tabasco
  '30': 'sureste', // Veracruz
  '31': 'sureste', // Yucatán
};
