import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { crimeCatalogue, SESNSP_EXTRACT_COLUMNS } from './crime-catalogue.js';
import { CDMX_SSP_MAPPING, categoryIndex } from './import-mapping.js';

const catalogue = crimeCatalogue();
const MX_CRIME = path.resolve(import.meta.dirname, '../indicators/data');

describe('catálogo de delitos del SESNSP', () => {
  it('has the published structure: 7 legal interests, 40 types, 55 subtypes, 98 modalities', () => {
    const count = (level: string) => catalogue.all().filter((n) => n.level === level).length;
    expect([count('legal_interest'), count('type'), count('subtype'), count('modality')]).toEqual([7, 40, 55, 98]);
    // Every subtype has modalities, every type subtypes: the tree is four levels deep everywhere.
    expect(catalogue.all().filter((n) => n.level !== 'modality' && n.childCount === 0)).toEqual([]);
    expect(catalogue.children('4.1').map((n) => n.name)).toContain('Robo en transporte público colectivo');
    expect(catalogue.children('2.1.1').map((n) => n.name)).toEqual([
      'Secuestro extorsivo',
      'Secuestro con calidad de rehén',
      'Secuestro para causar daño',
      'Secuestro exprés',
      'Otro tipo de secuestros',
    ]);
  });

  it('gives every node a stable dotted code whose prefix is its parent, and names in Spanish and English', () => {
    for (const n of catalogue.all()) {
      expect(n.code.split('.')).toHaveLength({ legal_interest: 1, type: 2, subtype: 3, modality: 4 }[n.level]);
      if (n.parentCode) expect(n.code.startsWith(`${n.parentCode}.`)).toBe(true);
      expect(n.name.length).toBeGreaterThan(2);
      expect(n.nameEn.length).toBeGreaterThan(2);
    }
    expect(new Set(catalogue.all().map((n) => n.code)).size).toBe(200);
    expect(catalogue.get('4.1.5.1')).toMatchObject({ name: 'Con violencia', nameEn: 'With violence', violence: 'violent' });
    expect(catalogue.subtreeCodes('4.1.1')).toEqual(['4.1.1', '4.1.1.1', '4.1.1.2']); // not 4.1.10…
  });

  it('resolves a classification to its most specific equivalent and knows which ones say violent', () => {
    expect(catalogue.resolve('4.4')).toBe('4.4.1.1');
    expect(catalogue.resolve('1.3')).toBe('1.3.1');
    expect(catalogue.resolve('4.1')).toBe('4.1');
    expect(catalogue.resolve('9')).toBeUndefined();
    expect([
      catalogue.violenceOf('1.1.1.3'),
      catalogue.violenceOf('1.1.2'),
      catalogue.violenceOf('4.1.2'),
      catalogue.violenceOf('4.1.2.4'),
    ]).toEqual(['violent', 'non_violent', null, 'non_violent']);
  });

  it('searches without accents, in Spanish or English, broader nodes first', () => {
    expect(catalogue.search('robo', 3)[0].code).toBe('4.1');
    expect(catalogue.search('violacion', 5).map((n) => n.code)).toEqual(expect.arrayContaining(['3.4', '3.5']));
    expect(catalogue.search('kidnapping', 1)[0].code).toBe('2.1');
    expect(catalogue.search('4.1.1', 10).map((n) => n.code)).toEqual(['4.1.1', '4.1.1.1', '4.1.1.2']);
  });

  it('covers the crime columns of the official SESNSP extracts', () => {
    for (const file of ['sesnsp_nm_state_month_2015_2022m03.csv', 'sesnsp_nm_victims_state_month_2015_2025m06.csv']) {
      const header = fs.readFileSync(path.join(MX_CRIME, file), 'utf8').split('\n')[0].split(',');
      const crimes = header.filter((c) => !['year', 'month', 'state_code', 'state', 'homicidio_doloso_mujeres'].includes(c));
      for (const c of crimes) expect(catalogue.get(SESNSP_EXTRACT_COLUMNS[c]), `${file}: ${c}`).toBeDefined();
    }
    expect(catalogue.get(SESNSP_EXTRACT_COLUMNS.homicidio_doloso_arma_fuego)!.name).toBe('Con arma de fuego');
  });

  it('maps the 19 categories of the SSP-DF file to codes that exist and say whether there was violence', () => {
    const file = path.resolve(import.meta.dirname, 'data/incidents/cdmx-ssp-delitos-2013.csv');
    const categories = new Set(
      fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[3]),
    );
    expect(categories.size).toBe(19);
    const index = categoryIndex(CDMX_SSP_MAPPING);
    for (const c of categories) {
      const target = index.get(c.toLowerCase());
      expect(target, c).toBeDefined();
      const code = catalogue.resolve(target!.code)!;
      expect(code, c).toBeDefined();
      const violent = target!.violent ?? catalogue.violenceOf(code);
      expect(violent, c).not.toBeNull();
      // C.V. means with violence, S.V. without: the mapping never contradicts the name.
      if (c.endsWith('C.V.')) expect([true, 'violent']).toContain(violent);
      if (c.endsWith('S.V.')) expect([false, 'non_violent']).toContain(violent);
    }
  });
});
