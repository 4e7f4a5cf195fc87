/**
 * Column mappings of bulk imports: which column of a file holds which field of a crime
 * record, and which SESNSP code each of the file's category values means. Agencies save
 * theirs by name; `cdmx-ssp` is built in (the SSP-DF high-impact crime file, reasoning in
 * `data/README.md`).
 */
import { z } from 'zod';
import { foldText, type CrimeCatalogue } from './crime-catalogue.js';

export const MAPPING_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const column = z.string().trim().min(1).max(128);
const categoryTarget = z.union([
  z.string().trim().min(1).max(16),
  z.strictObject({ code: z.string().trim().min(1).max(16), violent: z.boolean().optional() }),
]);

export const mappingSchema = z.strictObject({
  /** Namespace of the file's row ids: re-importing rows of the same dataset creates nothing twice. */
  dataset: z.string().regex(MAPPING_NAME),
  description: z.string().trim().max(500).optional(),
  columns: z.strictObject({
    sourceId: column,
    date: column,
    /** A separate time column; without it the date column may carry the time. */
    time: column.optional(),
    category: column,
    /** CSV only: GeoJSON takes the point from the geometry. */
    lat: column.optional(),
    lon: column.optional(),
    /** A yes/no column; without it violence comes from the category. */
    violent: column.optional(),
  }),
  /** The file's category values (compared without accents or case) → SESNSP code, optionally with violence. */
  categories: z.record(z.string().trim().min(1).max(200), categoryTarget),
  dateFormat: z.enum(['auto', 'iso', 'dmy']).default('auto'),
  /** true: decimal comma; false: decimal point; absent: either. */
  decimalComma: z.boolean().optional(),
  /** The state every point of the file is declared to be in. */
  stateCode: z
    .string()
    .regex(/^\d{2}$/)
    .optional(),
});
export type ImportMapping = z.infer<typeof mappingSchema>;

/** The SSP-DF file of high-impact crimes in Mexico City (../shared/data/incidents). */
export const CDMX_SSP_MAPPING: ImportMapping = {
  dataset: 'cdmx-ssp',
  description: 'SSP-DF: delitos de alto impacto en la Ciudad de México con coordenadas (hoyodecrimen.com), 2013–2016',
  columns: { sourceId: 'id', date: 'date', time: 'time', category: 'crime', lat: 'lat', lon: 'lon' },
  stateCode: '09',
  dateFormat: 'iso',
  decimalComma: false,
  categories: {
    'HOMICIDIO DOLOSO': '1.1.1',
    'LESIONES POR ARMA DE FUEGO': '1.2.1.1',
    VIOLACION: '3.4',
    'ROBO A CASA HABITACION C.V.': '4.1.1.1',
    'ROBO DE VEHICULO AUTOMOTOR C.V.': { code: '4.1.2', violent: true },
    'ROBO DE VEHICULO AUTOMOTOR S.V.': { code: '4.1.2', violent: false },
    'ROBO A TRANSPORTISTA C.V.': '4.1.4.1',
    'ROBO A TRANSPORTISTA S.V.': '4.1.4.2',
    'ROBO A TRANSEUNTE C.V.': '4.1.5.1',
    'ROBO A TRANSEUNTE S.V.': '4.1.5.2',
    'ROBO A CUENTAHABIENTE C.V.': '4.1.5.1',
    'ROBO A BORDO DE TAXI C.V.': '4.1.7.1',
    'ROBO A BORDO DE MICROBUS C.V.': '4.1.8.1',
    'ROBO A BORDO DE MICROBUS S.V.': '4.1.8.2',
    'ROBO A BORDO DE METRO C.V.': '4.1.8.1',
    'ROBO A BORDO DE METRO S.V.': '4.1.8.2',
    'ROBO A NEGOCIO C.V.': '4.1.11.1',
    'ROBO A REPARTIDOR C.V.': '4.1.14.1',
    'ROBO A REPARTIDOR S.V.': '4.1.14.2',
  },
};

export const BUILTIN_MAPPINGS: Readonly<Record<string, ImportMapping>> = { 'cdmx-ssp': CDMX_SSP_MAPPING };

/** A mapping's problems against the catalogue (unknown codes), as one message; empty when fine. */
export function mappingProblems(m: ImportMapping, catalogue: CrimeCatalogue): string[] {
  const out: string[] = [];
  for (const [value, target] of Object.entries(m.categories)) {
    const code = typeof target === 'string' ? target : target.code;
    if (!catalogue.get(code)) out.push(`${value} → ${code}`);
  }
  return out;
}

export type CategoryTarget = { code: string; violent: boolean | undefined };

/** The category lookup of a mapping: the file's value, without accents or case, → its code. */
export function categoryIndex(m: ImportMapping): Map<string, CategoryTarget> {
  return new Map(
    Object.entries(m.categories).map(([value, target]) => [
      foldText(value),
      typeof target === 'string' ? { code: target, violent: undefined } : { code: target.code, violent: target.violent },
    ]),
  );
}
