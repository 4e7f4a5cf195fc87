/**
 * How an incident was closed. A closed list, not free text, so that the metrics and the
 * crime records built on them can count closures by kind (the codes follow the closure
 * categories C4/C5 centres report: attended, nothing found, false alarm, hospital transfer,
 * arrests, referral to the public prosecutor, not located, referred to another agency).
 * Stored as the code; labels for both languages live here so every console shows the same.
 */
export const CLOSURE_CODES = {
  ATENDIDO: { es: 'Atendido', en: 'Attended' },
  SIN_NOVEDAD: { es: 'Sin novedad', en: 'Nothing found' },
  FALSA_ALARMA: { es: 'Falsa alarma', en: 'False alarm' },
  TRASLADO_HOSPITAL: { es: 'Traslado a hospital', en: 'Taken to hospital' },
  DETENIDOS: { es: 'Con detenidos', en: 'Arrests made' },
  REMITIDO_MP: { es: 'Remitido al Ministerio Público', en: 'Referred to the Public Prosecutor' },
  NO_LOCALIZADO: { es: 'No se localizó', en: 'Not located' },
  CANALIZADO: { es: 'Canalizado a otra instancia', en: 'Referred to another agency' },
} as const satisfies Record<string, { es: string; en: string }>;

export type ClosureCode = keyof typeof CLOSURE_CODES;
export const CLOSURE_CODE_LIST = Object.keys(CLOSURE_CODES) as ClosureCode[];
export const isClosureCode = (c: string): c is ClosureCode => Object.hasOwn(CLOSURE_CODES, c);
