import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  IMPORT_DELIMITERS,
  IMPORT_ENCODINGS,
  createImport,
  getImportJob,
  getImportJobs,
  getImportMappings,
  getRejections,
  getStates,
  rejectionsCsvUrl,
  uploadImport,
  type CodeName,
  type ImportDelimiter,
  type ImportEncoding,
  type ImportJob,
  type MappingView,
  type Rejection,
} from '../api.js';
import { Link } from '../router.js';
import { Alert } from '../ui/alert.js';
import { Field } from '../ui/field.js';
import './records.css';

/** Largest file the server accepts (2 GiB); checked here too so that nothing is sent in vain. */
const MAX_BYTES = 2 * 1024 ** 3;
const HEAD_BYTES = 65_536;
const POLL_MS = 400;
const SHOWN_REJECTIONS = 200;
const DELIMITER_KEY: Record<ImportDelimiter, string> = { auto: 'auto', ',': 'comma', ';': 'semicolon', '\t': 'tab' };

/** SHA-256 of the file's first 64 KiB: the server checks that a resumed upload sends the same file. */
async function headSha256(file: Blob): Promise<string | undefined> {
  if (!globalThis.crypto?.subtle) return undefined;
  const digest = await crypto.subtle.digest('SHA-256', await file.slice(0, HEAD_BYTES).arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function useBytes() {
  const { i18n } = useTranslation();
  const nf = useMemo(() => new Intl.NumberFormat(i18n.language === 'en' ? 'en' : 'es-MX', { maximumFractionDigits: 1 }), [i18n.language]);
  return {
    nf,
    bytes: (n: number | null) => (n === null ? '—' : n < 1_048_576 ? `${nf.format(n / 1024)} KB` : `${nf.format(n / 1_048_576)} MB`),
  };
}

/** The job's progress bar and counters, fed by the job as the server commits each batch. */
function Progress({ job }: { job: ImportJob }) {
  const { t } = useTranslation();
  const { nf, bytes } = useBytes();
  const pct = Math.round((job.progress ?? (job.status === 'completed' ? 1 : 0)) * 100);
  return (
    <div className="card import-progress-card" data-testid="import-job" data-status={job.status}>
      <div className="import-progress-head">
        <strong>{job.fileName}</strong>
        <span
          className={`badge ${job.status === 'completed' ? 'badge--ok' : job.status === 'failed' ? 'badge--danger' : job.status === 'interrupted' ? 'badge--warning' : 'badge--info'}`}
          data-testid="import-status"
        >
          {t(`imports.status.${job.status}`)}
        </span>
        <span className="muted">{t('imports.bytes', { done: bytes(job.bytesCommitted), total: bytes(job.fileSize) })}</span>
      </div>
      <div
        className="import-progress"
        role="progressbar"
        aria-label={t('imports.progress')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        data-testid="import-progress"
        data-value={pct}
      >
        <div className="import-progress-bar" style={{ width: `${pct}%` }} />
        <span className="import-progress-label">{pct} %</span>
      </div>
      <dl className="import-counters">
        <div>
          <dt>{t('imports.rowsRead')}</dt>
          <dd data-testid="import-rows-read">{nf.format(job.rowsRead)}</dd>
        </div>
        <div>
          <dt>{t('imports.rowsAccepted')}</dt>
          <dd data-testid="import-rows-accepted">{nf.format(job.rowsAccepted)}</dd>
        </div>
        <div>
          <dt>{t('imports.rowsDuplicate')}</dt>
          <dd data-testid="import-rows-duplicate">{nf.format(job.rowsDuplicate)}</dd>
        </div>
        <div>
          <dt>{t('imports.rowsRejected')}</dt>
          <dd data-testid="import-rows-rejected">{nf.format(job.rowsRejected)}</dd>
        </div>
      </dl>
      {job.warnings.map((w) => (
        <Alert key={w.code} kind="warning">
          {w.message}
        </Alert>
      ))}
      {job.error ? (
        <Alert kind={job.status === 'failed' ? 'error' : 'warning'} testId="import-error">
          {job.status === 'interrupted' ? t('imports.interruptedNote', { line: nf.format(job.nextLine) }) : job.error.message}
        </Alert>
      ) : null}
    </div>
  );
}

function Rejections({ job }: { job: ImportJob }) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<Rejection[] | null>(null);
  useEffect(() => {
    let live = true;
    getRejections(job.id, 0, SHOWN_REJECTIONS)
      .then((r) => live && setRows(r.rejections))
      .catch(() => live && setRows([]));
    return () => {
      live = false;
    };
  }, [job.id, job.rowsRejected]);
  if (!rows) return null;
  return (
    <section className="card" data-testid="import-rejections" aria-labelledby="import-rejections-title">
      <div className="import-progress-head">
        <h2 id="import-rejections-title" className="card-title">
          {t('imports.rejections')}
        </h2>
        {rows.length ? (
          <a className="btn btn--small" href={rejectionsCsvUrl(job.id)} download data-testid="import-rejections-csv">
            {t('imports.downloadRejections')}
          </a>
        ) : null}
      </div>
      {rows.length ? (
        <>
          <div className="table-wrap">
            <table className="table table--dense">
              <thead>
                <tr>
                  <th>{t('imports.line')}</th>
                  <th>{t('imports.reason')}</th>
                  <th>{t('imports.raw')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.record} data-testid="import-rejection-row" data-line={r.line} data-reason={r.reason}>
                    <td className="num">{r.line}</td>
                    <td>{r.message}</td>
                    <td className="mono import-raw">{r.raw}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {job.rowsRejected > rows.length ? <p className="muted">{t('imports.moreRejections', { count: rows.length })}</p> : null}
        </>
      ) : (
        <p className="muted">{t('imports.noRejections')}</p>
      )}
    </section>
  );
}

/**
 * Bulk import: choose a file, its encoding, delimiter and column mapping; the file goes up as a
 * raw stream while the job's committed progress is polled; then the rejected rows. An
 * interrupted job is resumed by choosing the same file again.
 */
export default function ImportPage() {
  const { t } = useTranslation();
  const { nf, bytes } = useBytes();
  const [file, setFile] = useState<File | null>(null);
  const [encoding, setEncoding] = useState<ImportEncoding>('auto');
  const [delimiter, setDelimiter] = useState<ImportDelimiter>('auto');
  const [mappings, setMappings] = useState<MappingView[]>([]);
  const [mappingName, setMappingName] = useState('cdmx-ssp');
  const [states, setStates] = useState<CodeName[]>([]);
  const [stateCode, setStateCode] = useState('');
  const [job, setJob] = useState<ImportJob | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [jobs, setJobs] = useState<ImportJob[]>([]);
  const [resuming, setResuming] = useState<ImportJob | null>(null);
  const resumeInput = useRef<HTMLInputElement>(null);

  const refreshJobs = useCallback(() => {
    getImportJobs()
      .then((r) => setJobs(r.jobs))
      .catch(() => undefined);
  }, []);
  useEffect(() => {
    getImportMappings()
      .then((r) => setMappings(r.mappings))
      .catch(() => undefined);
    getStates()
      .then((r) => setStates(r.states))
      .catch(() => undefined);
    refreshJobs();
  }, [refreshJobs]);

  /** Uploads `blob` from `offset` into the job, polling its committed progress meanwhile. */
  const send = async (target: ImportJob, blob: File, offset: number) => {
    setBusy(true);
    setError(null);
    setJob(target);
    let polling = true;
    const poll = async () => {
      while (polling) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        if (!polling) break;
        const now = await getImportJob(target.id).catch(() => null);
        if (now && polling) setJob(now);
      }
    };
    const pollDone = poll();
    try {
      const head = offset ? await headSha256(blob) : undefined;
      setJob(await uploadImport(target.id, blob, offset, head));
    } catch (err) {
      setError(err instanceof ApiError ? { message: err.message, field: err.field } : { message: t('common.unexpectedError') });
      // The upload stopped (a dropped connection, a stopped server): show what was committed.
      const now = await getImportJob(target.id).catch(() => null);
      if (now) setJob(now);
    } finally {
      polling = false;
      await pollDone;
      setBusy(false);
      refreshJobs();
    }
  };

  const start = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) {
      setError({ message: t('common.required'), field: 'file' });
      return;
    }
    if (file.size > MAX_BYTES) {
      setError({ message: t('imports.tooLarge'), field: 'file' });
      return;
    }
    try {
      const created = await createImport({
        fileName: file.name,
        fileSize: file.size,
        encoding,
        delimiter,
        mappingName,
        stateCode: stateCode || null,
      });
      await send(created, file, 0);
    } catch (err) {
      setError(err instanceof ApiError ? { message: err.message, field: err.field } : { message: t('common.unexpectedError') });
    }
  };

  const resumeWith = async (chosen: File | undefined) => {
    const target = resuming;
    setResuming(null);
    if (!chosen || !target) return;
    if (target.fileSize !== null && chosen.size !== target.fileSize) {
      setError({ message: t('imports.differentSize') });
      return;
    }
    await send(target, chosen, target.bytesCommitted);
  };

  const fieldError = (f: string) => (error?.field === f ? error.message : undefined);

  return (
    <div className="page import-page" data-testid="import-page">
      <div className="page-head">
        <div>
          <h1 className="page-title">{t('imports.title')}</h1>
          <p className="page-subtitle">{t('imports.subtitle')}</p>
        </div>
        <div className="page-head-actions">
          <Link to="/registros" className="btn">
            {t('records.title')}
          </Link>
        </div>
      </div>
      <form className="card form form--grid" onSubmit={(e) => void start(e)} noValidate data-testid="import-form">
        <Field
          id="import-file"
          label={t('imports.file')}
          help={t('imports.fileHelp')}
          error={fieldError('file') ?? fieldError('fileSize')}
          className="form-span"
        >
          <input
            id="import-file"
            type="file"
            accept=".csv,.txt,.tsv,.geojson,.json"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            disabled={busy}
            data-testid="import-file"
          />
        </Field>
        <Field id="import-encoding" label={t('imports.encoding')}>
          <select
            id="import-encoding"
            value={encoding}
            onChange={(e) => setEncoding(e.target.value as ImportEncoding)}
            disabled={busy}
            data-testid="import-encoding"
          >
            {IMPORT_ENCODINGS.map((enc) => (
              <option key={enc} value={enc}>
                {t(`imports.encodings.${enc}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="import-delimiter" label={t('imports.delimiter')}>
          <select
            id="import-delimiter"
            value={delimiter}
            onChange={(e) => setDelimiter(e.target.value as ImportDelimiter)}
            disabled={busy}
            data-testid="import-delimiter"
          >
            {IMPORT_DELIMITERS.map((d) => (
              <option key={d} value={d}>
                {t(`imports.delimiters.${DELIMITER_KEY[d]}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="import-mapping" label={t('imports.mapping')} error={fieldError('mappingName') ?? fieldError('categories')}>
          <select
            id="import-mapping"
            value={mappingName}
            onChange={(e) => setMappingName(e.target.value)}
            disabled={busy}
            data-testid="import-mapping"
          >
            {(mappings.length ? mappings : [{ name: 'cdmx-ssp', builtIn: true } as MappingView]).map((m) => (
              <option key={`${m.ownerAgencyId ?? ''}/${m.name}`} value={m.name}>
                {m.builtIn ? t('imports.builtIn', { name: m.name }) : m.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="import-state" label={t('imports.state')} error={fieldError('stateCode')}>
          <select
            id="import-state"
            value={stateCode}
            onChange={(e) => setStateCode(e.target.value)}
            disabled={busy}
            data-testid="import-state"
          >
            <option value="">{t('imports.stateFromMapping')}</option>
            {states.map((s) => (
              <option key={s.code} value={s.code}>
                {s.code} {s.name}
              </option>
            ))}
          </select>
        </Field>
        <div className="form-actions form-span">
          <button type="submit" className="btn btn--primary" disabled={busy} data-testid="import-start">
            {t('imports.start')}
          </button>
          {file ? (
            <span className="muted">
              {file.name} · {bytes(file.size)}
            </span>
          ) : null}
        </div>
      </form>
      {error && !['file', 'fileSize', 'mappingName', 'categories', 'stateCode'].includes(error.field ?? '') ? (
        <Alert kind="error" testId="import-form-error">
          {error.message}
        </Alert>
      ) : null}
      {job ? <Progress job={job} /> : null}
      {job && !busy && job.status !== 'pending' ? <Rejections job={job} /> : null}

      <section className="card" aria-labelledby="import-jobs-title" data-testid="import-jobs">
        <h2 id="import-jobs-title" className="card-title">
          {t('imports.jobs')}
        </h2>
        <input
          ref={resumeInput}
          type="file"
          className="visually-hidden"
          tabIndex={-1}
          onChange={(e) => {
            void resumeWith(e.target.files?.[0]);
            e.target.value = '';
          }}
          data-testid="import-resume-file"
        />
        {resuming ? (
          <p className="muted">{t('imports.resumeHelp', { name: resuming.fileName, line: nf.format(resuming.nextLine) })}</p>
        ) : null}
        {jobs.length ? (
          <div className="table-wrap">
            <table className="table table--dense">
              <thead>
                <tr>
                  <th>{t('imports.when')}</th>
                  <th>{t('imports.fileColumn')}</th>
                  <th>{t('imports.mapping')}</th>
                  <th>{t('imports.rowsRead')}</th>
                  <th>{t('imports.rowsAccepted')}</th>
                  <th>{t('imports.rowsRejected')}</th>
                  <th>{t('common.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((j) => (
                  <tr key={j.id} data-testid="import-job-row" data-status={j.status}>
                    <td className="nowrap">{new Date(j.createdAt).toLocaleString()}</td>
                    <td>
                      {j.fileName} <span className="muted">· {t(`imports.status.${j.status}`)}</span>
                    </td>
                    <td>{j.mappingName}</td>
                    <td className="num">{nf.format(j.rowsRead)}</td>
                    <td className="num">{nf.format(j.rowsAccepted)}</td>
                    <td className="num">{nf.format(j.rowsRejected)}</td>
                    <td className="nowrap">
                      {j.status === 'interrupted' ? (
                        <button
                          type="button"
                          className="btn btn--small"
                          disabled={busy}
                          onClick={() => {
                            setResuming(j);
                            resumeInput.current?.click();
                          }}
                          data-testid="import-resume"
                        >
                          {t('imports.resume')}
                        </button>
                      ) : (
                        <button type="button" className="btn btn--small btn--ghost" disabled={busy} onClick={() => setJob(j)}>
                          {t('common.show')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">{t('imports.noJobs')}</p>
        )}
      </section>
    </div>
  );
}
