import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { publicCrimeGroups, splitCsvLine } from './public-catalogue.js';
import es from '../i18n/es.json' with { type: 'json' };
import en from '../i18n/en.json' with { type: 'json' };

describe('the public map’s crime groups', () => {
  it('reads the 7 legal interests and 40 types of the bundled SESNSP catalogue', () => {
    const csv = fs.readFileSync(path.resolve(import.meta.dirname, '../../records/data/sesnsp-catalogo.csv'), 'utf8');
    const groups = publicCrimeGroups(csv);
    expect(groups.filter((g) => g.level === 1)).toHaveLength(7);
    expect(groups.filter((g) => g.level === 2)).toHaveLength(40);
    expect(groups.find((g) => g.code === '4.1')).toEqual({ code: '4.1', name: 'Robo', nameEn: 'Robbery and theft', level: 2 });
    expect(splitCsvLine('a,"b, c","d ""e"""')).toEqual(['a', 'b, c', 'd "e"']);
  });
});

/** Every key of an object tree, dotted. */
const keys = (o: unknown, prefix = ''): string[] =>
  o && typeof o === 'object' ? Object.entries(o).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)) : [prefix];

describe('the crime map’s texts', () => {
  it('exist in Spanish and English alike', () => {
    for (const section of ['crimeMap', 'profile', 'publicMap'] as const) {
      expect(keys((es as Record<string, unknown>)[section]).sort(), section).toEqual(keys((en as Record<string, unknown>)[section]).sort());
      expect(keys((es as Record<string, unknown>)[section]).length, section).toBeGreaterThan(10);
    }
  });
});
