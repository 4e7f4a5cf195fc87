import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, auditExportUrl, getAgencies, getAudit, type AuditPage as Page } from '../api.js';
import { Alert } from '../ui/alert.js';
import { fieldOf } from '../ui/errors.js';
import { useLoad } from '../ui/use-load.js';
import { AuditFilters, EMPTY_DRAFT, toFilter, type FilterDraft } from './audit-filters.js';
import { AuditTable } from './audit-table.js';
import { VerifyButton, VerifyResult, type Verification } from './verify-button.js';

const PAGE_SIZES = [50, 100, 200] as const;

/** Audit: search the log, page through it, export it, verify its hash chain. */
export default function AuditPage() {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<FilterDraft>(EMPTY_DRAFT);
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const [limit, setLimit] = useState<number>(100);
  const [page, setPage] = useState<Page | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [tick, setTick] = useState(0);
  const [verification, setVerification] = useState<Verification | null>(null);
  const agencies = useLoad(() => getAgencies().then((r) => r.agencies), 'agencies', t('common.unexpectedError'));
  const codeOf = useMemo(() => new Map((agencies.data ?? []).map((a) => [a.id, a.code])), [agencies.data]);
  const filter = useMemo(() => toFilter(draft), [draft]);
  const before = cursors[cursors.length - 1];

  useEffect(() => {
    let live = true;
    setLoading(true);
    getAudit(filter, before, limit)
      .then((p) => {
        if (!live) return;
        setPage(p);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!live) return;
        setPage(null);
        setError(err instanceof ApiError ? { message: err.message, field: fieldOf(err) } : { message: t('common.unexpectedError') });
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [filter, before, limit, tick, t]);

  const knownActions = useMemo(() => [...new Set((page?.entries ?? []).map((e) => e.action))].sort(), [page]);
  const apply = (d: FilterDraft) => {
    setDraft(d);
    setCursors([null]);
    setTick((n) => n + 1);
  };
  const filterFields = ['from', 'to', 'actor', 'action', 'outcome'];
  const fieldError = error?.field && filterFields.includes(error.field) ? { field: error.field, message: error.message } : null;

  return (
    <div className="page" data-testid="audit-page">
      <div className="page-head">
        <div>
          <h1 className="page-title">{t('audit.title')}</h1>
          <p className="page-subtitle">{t('audit.subtitle')}</p>
        </div>
        <div className="page-head-actions">
          <a className="btn" href={auditExportUrl(filter)} download data-testid="audit-export">
            {t('audit.export')}
          </a>
          <VerifyButton onResult={setVerification} />
        </div>
      </div>
      {verification ? <VerifyResult value={verification} onClose={() => setVerification(null)} /> : null}
      <AuditFilters initial={draft} knownActions={knownActions} onApply={apply} fieldError={fieldError} />
      {error && !fieldError ? <Alert kind="error">{error.message}</Alert> : null}
      <div className="pager" aria-busy={loading}>
        <button
          type="button"
          className="btn btn--small"
          disabled={cursors.length <= 1 || loading}
          onClick={() => setCursors((c) => c.slice(0, -1))}
          data-testid="audit-newer"
        >
          ← {t('audit.newer')}
        </button>
        <span className="pager-page" data-testid="audit-page-number">
          {t('audit.page', { page: cursors.length })}
        </span>
        <button
          type="button"
          className="btn btn--small"
          disabled={!page?.nextBefore || loading}
          onClick={() => page?.nextBefore && setCursors((c) => [...c, page.nextBefore])}
          data-testid="audit-older"
        >
          {t('audit.older')} →
        </button>
        <label className="pager-size">
          {t('audit.pageSize')}{' '}
          <select
            value={limit}
            onChange={(e) => {
              setLimit(Number(e.target.value));
              setCursors([null]);
            }}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        {loading ? (
          <span className="muted" role="status">
            {t('common.loading')}
          </span>
        ) : null}
      </div>
      {page && page.entries.length > 0 ? (
        <AuditTable entries={page.entries} agencyCode={(id) => (id ? (codeOf.get(id) ?? id.slice(0, 8)) : t('common.emptyValue'))} />
      ) : page && !loading ? (
        <p className="empty-state" data-testid="audit-empty">
          {t('audit.empty')}
        </p>
      ) : null}
    </div>
  );
}
