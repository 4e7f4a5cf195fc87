import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, getAnalysisBreakdown, getAnalysisMatrix, type AnalysisFilters, type Breakdown, type HourWeekdayMatrix } from '../api.js';
import { HeatGrid } from './heat-grid.js';

/** What the map shows, in two small readings: crimes by type (SESNSP subtype) and by hour and weekday. */
export function SummaryPanel({ filters }: { filters: AnalysisFilters }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const [breakdown, setBreakdown] = useState<Breakdown | null>(null);
  const [matrix, setMatrix] = useState<HourWeekdayMatrix | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(filters);
  useEffect(() => {
    const f = JSON.parse(key) as AnalysisFilters;
    if (!f.from || !f.to) return;
    const ctrl = new AbortController();
    setError(null);
    const fail = (err: unknown) => !ctrl.signal.aborted && setError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
    getAnalysisBreakdown({ ...f, level: 3 }, ctrl.signal)
      .then(setBreakdown)
      .catch(fail);
    getAnalysisMatrix(f, ctrl.signal).then(setMatrix).catch(fail);
    return () => ctrl.abort();
  }, [key, t]);
  const total = breakdown?.rows.reduce((s, r) => s + r.count, 0) ?? 0;
  const nf = (v: number) => v.toLocaleString(en ? 'en-US' : 'es-MX');
  return (
    <section className="cm-panel" aria-labelledby="cm-summary-title" data-testid="cm-summary">
      <h2 className="cm-panel-title" id="cm-summary-title">
        {t('crimeMap.summary.title')}
      </h2>
      {error ? <p className="alert alert--error cm-small">{error}</p> : null}
      {breakdown ? (
        <table className="table table--dense" data-testid="cm-breakdown">
          <caption className="visually-hidden">{t('crimeMap.summary.byType')}</caption>
          <tbody>
            {breakdown.rows.slice(0, 8).map((r) => (
              <tr key={r.code} data-testid="cm-breakdown-row" data-code={r.code}>
                <th scope="row">{en ? r.nameEn : r.name}</th>
                <td>{nf(r.count)}</td>
                <td className="muted">{total ? `${Math.round((r.count / total) * 100)} %` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {matrix ? (
        <details>
          <summary>{t('crimeMap.summary.when')}</summary>
          <HeatGrid counts={matrix.counts} testId="cm-matrix" caption={t('crimeMap.summary.whenCaption', { n: nf(matrix.unknownTime) })} />
        </details>
      ) : null}
    </section>
  );
}
