/**
 * `npm run cli -- records import <file>`: the bulk importer from a terminal, straight to the
 * database (no server needed), with a progress bar on stderr and a summary on stdout.
 * Ctrl+C stops after the batch being written; `--resume <jobId>` continues from the
 * committed position (also after a crash or a killed process).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { t } from '../platform/i18n/messages.js';
import { findAgencyByCode } from '../identity/identity.service.js';
import type { IdentityDeps } from '../identity/identity.service.js';
import { mappingSchema } from './import-mapping.js';
import { IMPORT_ENCODINGS, type ImportEncoding } from './import-text.js';
import {
  createImportJob,
  HEAD_BYTES,
  jobView,
  listRejections,
  MAX_IMPORT_BYTES,
  rejectionsCsv,
  runImport,
  type ImportDelimiter,
  type ImportDeps,
  type ImportFormat,
} from './import.service.js';
import * as store from './import.store.js';
import type { JobRow } from './import.store.js';

export type CliImportOptions = {
  file: string;
  mapping?: string;
  encoding?: string;
  delimiter?: string;
  format?: string;
  state?: string;
  agency?: string;
  resume?: string;
};

export type CliIo = { out: (s: string) => void; err: NodeJS.WritableStream & { isTTY?: boolean } };

const DELIMITERS: Record<string, ImportDelimiter> = { auto: 'auto', ',': ',', comma: ',', ';': ';', semicolon: ';', tab: '\t', '\t': '\t' };
const nf = new Intl.NumberFormat('es-MX');
const mb = (n: number) => `${(n / 1_048_576).toFixed(1)} MB`;

/** SHA-256 of a file's first 64 KiB (the whole file when smaller): what a resumed import must match. */
export function fileHeadSha256(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = fs.readSync(fd, buf, 0, HEAD_BYTES, 0);
    return crypto.createHash('sha256').update(buf.subarray(0, n)).digest('hex');
  } finally {
    fs.closeSync(fd);
  }
}

function progressBar(io: CliIo, size: number) {
  let lastDraw = 0;
  let lastTenth = -1;
  let lastLine = '';
  return (job: JobRow, final = false) => {
    const share = size ? Math.min(1, job.bytesCommitted / size) : 0;
    const line = `${(share * 100).toFixed(1).padStart(5)} % ${mb(job.bytesCommitted)}/${mb(size)} · ${nf.format(job.rowsRead)} filas · ${nf.format(job.rowsAccepted)} nuevas · ${nf.format(job.rowsDuplicate)} ya existían · ${nf.format(job.rowsRejected)} rechazadas`;
    if (io.err.isTTY) {
      const now = Date.now();
      if (!final && now - lastDraw < 100) return;
      lastDraw = now;
      const width = 30;
      const done = Math.round(share * width);
      io.err.write(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${line}${final ? '\n' : ''}`);
    } else {
      // Not a terminal (a log, a pipe): one line per tenth of the file.
      const tenth = Math.floor(share * 10);
      if ((tenth > lastTenth || final) && line !== lastLine) io.err.write(`${line}\n`);
      lastTenth = tenth;
      lastLine = line;
    }
  };
}

export async function cliImport(deps: ImportDeps & Pick<IdentityDeps, 'config'>, o: CliImportOptions, io: CliIo): Promise<number> {
  const fail = (message: string) => {
    io.err.write(`Error: ${message}\n`);
    return 1;
  };
  if (!fs.existsSync(o.file)) return fail(`No existe el archivo «${o.file}».`);
  const size = fs.statSync(o.file).size;
  // Refused before a byte is read.
  if (size > MAX_IMPORT_BYTES) return fail(t('es', 'error.import.file_too_large', { size, max: MAX_IMPORT_BYTES }));
  const encoding = (o.encoding ?? 'auto')
    .toLowerCase()
    .replace(/^cp1252$/, 'windows-1252')
    .replace(/^utf8$/, 'utf-8');
  if (!(IMPORT_ENCODINGS as readonly string[]).includes(encoding)) return fail(`--encoding debe ser ${IMPORT_ENCODINGS.join('|')}`);
  const delimiter = DELIMITERS[o.delimiter ?? 'auto'];
  if (!delimiter) return fail('--delimiter debe ser auto, «,», «;» o tab');
  if (o.format && o.format !== 'csv' && o.format !== 'geojson') return fail('--format debe ser csv o geojson');
  if (o.state && !/^\d{2}$/.test(o.state)) return fail('--state es la clave INEGI de la entidad, p. ej. 09');

  let job: JobRow;
  let offset = 0;
  let headSha256: string | undefined;
  if (o.resume) {
    const found = await store.getJob(deps.handle.db, o.resume);
    if (!found) return fail(`No existe la importación ${o.resume}.`);
    job = found;
    offset = job.bytesCommitted;
    headSha256 = fileHeadSha256(o.file);
    if (job.fileSize !== null && job.fileSize !== size) return fail(t('es', 'error.import.different_file'));
    io.err.write(`Reanudando la importación ${job.id} desde el byte ${nf.format(offset)} (línea ${nf.format(job.nextLine)}).\n`);
  } else {
    let owner: { agencyId: string | null; userId: null; name: string } = {
      agencyId: null,
      userId: null,
      name: `cli:${os.userInfo().username}`,
    };
    if (o.agency) {
      const agency = await findAgencyByCode(deps, o.agency);
      if (!agency) return fail(`No existe la institución «${o.agency}».`);
      owner = { ...owner, agencyId: agency.id };
    }
    const name = o.mapping ?? 'cdmx-ssp';
    let mapping;
    if (name.endsWith('.json')) {
      const parsed = mappingSchema.safeParse(JSON.parse(fs.readFileSync(name, 'utf8')));
      if (!parsed.success)
        return fail(
          t('es', 'error.import.mapping_invalid', {
            detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
          }),
        );
      mapping = parsed.data;
    }
    job = await createImportJob(deps, owner, {
      fileName: path.basename(o.file),
      fileSize: size,
      format: o.format as ImportFormat | undefined,
      encoding: encoding as ImportEncoding,
      delimiter,
      mappingName: mapping
        ? path
            .basename(name, '.json')
            .toLowerCase()
            .replace(/[^a-z0-9._-]/g, '-')
        : name,
      mapping,
      stateCode: o.state,
    });
    io.err.write(`Importación ${job.id}: ${path.basename(o.file)} (${mb(size)}), correspondencia «${job.mappingName}».\n`);
  }

  const draw = progressBar(io, size);
  const stop = new AbortController();
  const onSignal = () => {
    io.err.write('\nDeteniendo después del lote en curso…\n');
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  const started = performance.now();
  let done: JobRow;
  try {
    done = await runImport(deps, job.id, fs.createReadStream(o.file, { start: offset, highWaterMark: 256 * 1024 }), {
      offset,
      headSha256,
      contentLength: size - offset,
      onProgress: (j) => draw(j),
      signal: stop.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
  }
  draw(done, true);
  const seconds = (performance.now() - started) / 1000;
  const view = jobView(deps, done, 'es');
  const lines = [
    '',
    `Importación ${view.id}: ${{ completed: 'TERMINADA', interrupted: 'INTERRUMPIDA', failed: 'FALLIDA', running: 'EN CURSO', pending: 'PENDIENTE' }[view.status]}`,
    `  filas leídas      ${nf.format(view.rowsRead)}`,
    `  registros nuevos  ${nf.format(view.rowsAccepted)}`,
    `  ya existían       ${nf.format(view.rowsDuplicate)}`,
    `  rechazadas        ${nf.format(view.rowsRejected)}`,
    `  codificación      ${view.encodingUsed ?? '—'}; separador ${view.delimiterUsed === '\t' ? 'tab' : (view.delimiterUsed ?? '—')}`,
    `  tiempo            ${seconds.toFixed(1)} s (${nf.format(Math.round((view.rowsRead - (job.rowsRead ?? 0)) / Math.max(seconds, 0.001)))} filas/s)`,
  ];
  for (const w of view.warnings) lines.push(`  aviso: ${w.message}`);
  if (view.error) lines.push(`  ${view.status === 'failed' ? 'error' : 'nota'}: ${view.error.message}`);
  if (view.rowsRejected) {
    lines.push('', '  Primeras filas rechazadas (línea: motivo):');
    for (const r of await listRejections(deps, view.id, 'es', 0, 10)) lines.push(`    ${r.line}: ${r.message}`);
    lines.push(`  Todas:  npm run cli -- records rejections ${view.id} > rechazos.csv`);
  }
  if (view.status === 'interrupted') lines.push('', `  Reanude con:  npm run cli -- records import ${o.file} --resume ${view.id}`);
  io.out(lines.join('\n'));
  return view.status === 'completed' ? 0 : view.status === 'interrupted' ? 2 : 1;
}

/** `records rejections <jobId>`: the rejected rows as CSV on stdout. */
export async function cliRejections(deps: ImportDeps, jobId: string, write: (s: string) => void): Promise<number> {
  if (!(await store.getJob(deps.handle.db, jobId))) {
    process.stderr.write(`Error: no existe la importación ${jobId}.\n`);
    return 1;
  }
  for await (const chunk of rejectionsCsv(deps, jobId, 'es')) write(chunk);
  return 0;
}
