import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, CRIME_SOURCES, crimesCsvUrl, getCrimes, type CrimeFilter, type CrimeRecord } from '../api.js';
import { useSession } from '../app-context.js';
import { Link } from '../router.js';
import { CRIME_IMPORT_ROLES, hasAnyRole } from '../shell/areas.js';
import { Alert } from '../ui/alert.js';
import { useCatalogue, useMunicipalityNames } from './catalogue.js';
import './records.css';

const PAGE = 100;
const EMPTY: CrimeFilter = { classification: '', from: '', to: '', violent: '', source: '' };

/** Crime records: filter by SESNSP classification (any level), dates, violence and source; export what is found. */
export default function RecordsPage() {
  const { t, i18n } = useTranslation();
  const roles = useSession().user.roles;
  const { nodes, nameOf, label } = useCatalogue();
  const [draft, setDraft] = useState<CrimeFilter>(EMPTY);
  const [filter, setFilter] = useState<CrimeFilter>(EMPTY);
  const [records, setRecords] = useState<CrimeRecord[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const muni = useMunicipalityNames(records.map((r) => r.stateCode));
  const nf = useMemo(() => new Intl.NumberFormat(i18n.language === 'en' ? 'en' : 'es-MX'), [i18n.language]);

  const load = (f: CrimeFilter, cursor: string | null) => {
    setLoading(true);
    getCrimes(f, cursor, PAGE)
      .then((r) => {
        setRecords((prev) => (cursor ? [...prev, ...r.records] : r.records));
        setNext(r.nextCursor);
        setError(null);
      })
      .catch((err: unknown) => setError(err instanceof ApiError ? err.message : t('common.unexpectedError')))
      .finally(() => setLoading(false));
  };
  // The first page again whenever the applied filter changes.
  useEffect(() => load(filter, null), [filter]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFilter({ ...draft });
  };
  const set = <K extends keyof CrimeFilter>(k: K, v: CrimeFilter[K]) => setDraft((d) => ({ ...d, [k]: v }));

  return (
    <div className="page records-page" data-testid="records-page">
      <div className="page-head">
        <div>
          <h1 className="page-title">{t('records.title')}</h1>
          <p className="page-subtitle">{t('records.subtitle')}</p>
        </div>
        <div className="page-head-actions">
          <a className="btn" href={crimesCsvUrl(filter)} download data-testid="records-export">
            {t('records.export')}
          </a>
          {hasAnyRole(roles, CRIME_IMPORT_ROLES) ? (
            <Link to="/registros/importar" className="btn btn--primary" data-testid="records-import">
              {t('records.import')}
            </Link>
          ) : null}
        </div>
      </div>
      <form className="filters" onSubmit={submit} role="search" data-testid="records-filters">
        <label className="field">
          <span>{t('records.classification')}</span>
          <select value={draft.classification} onChange={(e) => set('classification', e.target.value)} data-testid="records-classification">
            <option value="">{t('records.anyClassification')}</option>
            {nodes
              .filter((n) => n.level !== 'modality')
              .map((n) => (
                <option key={n.code} value={n.code}>
                  {'\u2003'.repeat(n.path.length)}
                  {n.code} {label(n)}
                </option>
              ))}
          </select>
        </label>
        <label className="field">
          <span>{t('records.from')}</span>
          <input
            type="date"
            value={draft.from}
            max={draft.to || undefined}
            onChange={(e) => set('from', e.target.value)}
            data-testid="records-from"
          />
        </label>
        <label className="field">
          <span>{t('records.to')}</span>
          <input
            type="date"
            value={draft.to}
            min={draft.from || undefined}
            onChange={(e) => set('to', e.target.value)}
            data-testid="records-to"
          />
        </label>
        <label className="field">
          <span>{t('records.violent')}</span>
          <select
            value={draft.violent}
            onChange={(e) => set('violent', e.target.value as CrimeFilter['violent'])}
            data-testid="records-violent"
          >
            <option value="">{t('records.any')}</option>
            <option value="true">{t('records.violentYes')}</option>
            <option value="false">{t('records.violentNo')}</option>
          </select>
        </label>
        <label className="field">
          <span>{t('records.source')}</span>
          <select
            value={draft.source}
            onChange={(e) => set('source', e.target.value as CrimeFilter['source'])}
            data-testid="records-source"
          >
            <option value="">{t('records.any')}</option>
            {CRIME_SOURCES.map((s) => (
              <option key={s} value={s}>
                {t(`records.sources.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <div className="filters-actions">
          <button type="submit" className="btn btn--primary" data-testid="records-apply">
            {t('records.apply')}
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              setDraft(EMPTY);
              setFilter(EMPTY);
            }}
          >
            {t('common.clear')}
          </button>
        </div>
      </form>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <p className="muted" data-testid="records-count" aria-live="polite">
        {loading ? t('common.loading') : t('records.shown', { count: records.length, formatted: nf.format(records.length) })}
      </p>
      {records.length ? (
        <div className="table-wrap">
          <table className="table table--dense" data-testid="records-table">
            <thead>
              <tr>
                <th>{t('records.columns.date')}</th>
                <th>{t('records.columns.time')}</th>
                <th>{t('records.columns.classification')}</th>
                <th>{t('records.columns.place')}</th>
                <th>{t('records.columns.violent')}</th>
                <th>{t('records.columns.source')}</th>
              </tr>
            </thead>
            <tbody>
              {records.map((r) => (
                <tr key={r.id} data-testid="record-row" data-code={r.classificationCode}>
                  <td className="nowrap">{r.occurredOn}</td>
                  <td className="nowrap">{r.occurredTime ?? <span className="muted">{t('records.unknownTime')}</span>}</td>
                  <td>
                    <span className="mono records-code">{r.classificationCode}</span> {nameOf(r.classificationCode)}
                  </td>
                  <td>
                    {muni.get(r.municipalityCode) ?? r.municipalityCode}
                    {r.quadrantId ? <span className="muted"> · {t('records.quadrant', { id: r.quadrantId })}</span> : null}
                  </td>
                  <td>
                    {r.violent ? (
                      <span className="badge badge--danger">{t('records.violentYes')}</span>
                    ) : (
                      <span className="badge badge--muted">{t('records.violentNo')}</span>
                    )}
                  </td>
                  <td className="nowrap">{t(`records.sources.${r.source}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : !loading && !error ? (
        <p className="empty-state" data-testid="records-empty">
          {t('records.empty')}
        </p>
      ) : null}
      {next ? (
        <button type="button" className="btn" disabled={loading} onClick={() => load(filter, next)} data-testid="records-more">
          {t('records.more')}
        </button>
      ) : null}
    </div>
  );
}
