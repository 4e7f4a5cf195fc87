import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localOracleDir, oracleDir, sharedOracleDir } from './test-fixtures.js';

const csvFiles = (dir: string): string[] =>
  fs.existsSync(dir)
    ? [
        ...fs.readdirSync(dir).filter((f) => f.endsWith('.csv')),
        ...fs
          .readdirSync(path.join(dir, 'expected'))
          .filter((f) => f.endsWith('.csv'))
          .map((f) => `expected/${f}`),
      ].sort()
    : [];

describe('oracle fixtures', () => {
  it('the tests read ../shared/data/oracles when present, else the copies in testdata/', () => {
    expect(oracleDir).toBe(fs.existsSync(path.join(sharedOracleDir, 'expected')) ? sharedOracleDir : localOracleDir);
  });

  it('testdata/ holds a byte-identical copy of every oracle CSV (compared when ../shared is present)', () => {
    const local = csvFiles(localOracleDir);
    expect(local.length).toBe(25);
    if (oracleDir !== sharedOracleDir) return; // a clone without ../shared: the copies are the fixtures
    expect(local).toEqual(csvFiles(sharedOracleDir));
    for (const f of local) expect(fs.readFileSync(path.join(localOracleDir, f)), f).toEqual(fs.readFileSync(path.join(sharedOracleDir, f)));
  });

  it('every expected/ file is compared by some test (named in a test title)', () => {
    const titles = fs
      .readdirSync(import.meta.dirname)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => fs.readFileSync(path.join(import.meta.dirname, f), 'utf8'))
      .join('\n');
    for (const f of csvFiles(localOracleDir).filter((f) => f.startsWith('expected/'))) {
      const name = path.basename(f);
      // localmoran_*, gistar_* are named through a template; check the stem pieces instead.
      const stem = name.replace('.csv', '');
      const covered = titles.includes(name) || (/^(localmoran|gistar)_/.test(stem) && titles.includes(stem.split('_').slice(-1)[0]));
      expect(covered, name).toBe(true);
    }
  });
});
