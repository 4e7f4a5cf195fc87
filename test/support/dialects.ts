import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Db } from '../../src/platform/db/database.js';
import { loadConfig, type Config } from '../../src/platform/config.js';

export type Dialect = { name: 'sqlite' | 'postgres'; open: () => Promise<Db> };

/** The two databases every storage and API test runs on. PostgreSQL is skipped (loudly) only where its binaries are missing. */
export function dialects(): Dialect[] {
  const out: Dialect[] = [
    {
      name: 'sqlite',
      open: async () => openDatabase({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'openc5-test-')) }),
    },
  ];
  const url = inject('pgUrl');
  if (url) {
    out.push({
      name: 'postgres',
      open: async () => {
        const name = `t_${crypto.randomBytes(6).toString('hex')}`;
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`create database ${name}`);
        await admin.end();
        const u = new URL(url);
        u.pathname = `/${name}`;
        return openDatabase({ databaseUrl: u.toString(), dataDir: os.tmpdir() });
      },
    });
  }
  return out;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  // The analysis engine's workers start on the first map question, not with every test platform.
  return loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'openc5-cfg-')),
    ANALYSIS_PRELOAD: 'false',
    ...overrides,
  });
}
