import { splitCsvLine } from '../../records/csv-line.js';

export { splitCsvLine };

/** A node of the SESNSP classification as the public map lists it (legal interests and types). */
export type PublicCrimeGroup = { code: string; name: string; nameEn: string; level: 1 | 2 };

/**
 * The first two levels of the SESNSP catalogue (bien jurídico, tipo) from its CSV file
 * (`src/records/data/sesnsp-catalogo.csv`, bundled): the public page has no session to ask the
 * records API for it, and citizens choose among broad groups, not modalities.
 */
export function publicCrimeGroups(csv: string): PublicCrimeGroup[] {
  const lines = csv.split(/\r?\n/).filter(Boolean);
  const out: PublicCrimeGroup[] = [];
  for (const line of lines.slice(1)) {
    const [code, level, name, nameEn] = splitCsvLine(line);
    if (level === 'bien_juridico') out.push({ code, name, nameEn, level: 1 });
    else if (level === 'tipo') out.push({ code, name, nameEn, level: 2 });
  }
  return out;
}
