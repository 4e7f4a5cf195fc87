import type { TestProject } from 'vitest/node';
import { postgresAvailable, startCluster } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
  }
}

/** Starts one PostgreSQL cluster for the whole run; each test file makes its own database in it. */
export default async function setup(project: TestProject): Promise<() => void> {
  if (!postgresAvailable()) {
    if (process.env.REQUIRE_POSTGRES === '1') throw new Error('REQUIRE_POSTGRES=1 but initdb/pg_ctl were not found');
    console.warn('\n\n  ⚠⚠⚠  PostgreSQL binaries not found: the PostgreSQL half of the storage and API tests is SKIPPED.  ⚠⚠⚠\n\n');
    project.provide('pgUrl', null);
    return () => {};
  }
  const cluster = await startCluster();
  project.provide('pgUrl', cluster.url);
  return () => cluster.stop();
}
