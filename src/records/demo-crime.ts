/**
 * Demo crime records for `npm start`: the real Mexico City files shipped in `data/incidents/`
 * (SSP-DF, 2013–2015, 110,507 rows), put through the importer with its `cdmx-ssp` mapping, so the
 * crime map, the profiles and the indicators by colonia have real data from the first start.
 * Only on an installation that holds no other crime records. Each file is one import job owned by
 * "demo"; a file whose job did not complete (a start cut short) is imported again on the next start
 * and creates nothing twice (the importer skips the rows it already holds).
 */
import fs from 'node:fs';
import path from 'node:path';
import { streamCrimeRecords } from './crime.service.js';
import { createImportJob, runImport, type ImportDeps } from './import.service.js';
import { listJobs } from './import.store.js';

export const DEMO_FILES = [2013, 2014, 2015].map((y) => path.resolve(import.meta.dirname, `data/incidents/cdmx-ssp-delitos-${y}.csv`));

/** Imports the demo files not yet imported; answers how many rows were accepted. */
export async function loadDemoCrimeRecords(deps: ImportDeps, files: readonly string[] = DEMO_FILES): Promise<number> {
  const demoJobs = (await listJobs(deps.handle.db, undefined, 1000)).filter((j) => j.createdByName === 'demo');
  if (!demoJobs.length && (await streamCrimeRecords(deps, null, 1)).length) return 0;
  let imported = 0;
  for (const file of files) {
    if (demoJobs.some((j) => j.fileName === path.basename(file) && j.status === 'completed')) continue;
    const job = await createImportJob(
      deps,
      { agencyId: null, userId: null, name: 'demo' },
      { fileName: path.basename(file), fileSize: fs.statSync(file).size, mappingName: 'cdmx-ssp' },
    );
    const done = await runImport(deps, job.id, fs.createReadStream(file), { offset: 0 });
    imported += done.rowsAccepted;
  }
  return imported;
}
