import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getPlatformIndicator, type PlatformIndicator } from '../api.js';
import { Alert } from '../ui/alert.js';
import { useLoad } from '../ui/use-load.js';
import { LineChart } from './charts.js';

const MEASURES = ['calls', 'incidents', 'improperCalls'] as const;
const thisMonth = () => new Date().toISOString().slice(0, 7);
const monthsBefore = (m: string, n: number) => {
  const [y, mm] = m.split('-').map(Number);
  const d = new Date(Date.UTC(y, mm - 1 - n, 1));
  return d.toISOString().slice(0, 7);
};

/**
 * The platform's own 911 data through the indicators engine: calls (or incidents, improper calls)
 * per 100,000 inhabitants by municipality, ranked, with the response times of the same period.
 */
export function PlatformPanel() {
  const { t, i18n } = useTranslation();
  const [measure, setMeasure] = useState<(typeof MEASURES)[number]>('calls');
  const [to, setTo] = useState(thisMonth());
  const [from, setFrom] = useState(monthsBefore(thisMonth(), 5));
  const q = { measure, period: `${from}..${to}` };
  const d = useLoad<PlatformIndicator>(() => getPlatformIndicator('911', q), JSON.stringify(q), t('common.unexpectedError'));
  const nf = useMemo(
    () => new Intl.NumberFormat(i18n.language === 'en' ? 'en-US' : 'es-MX', { maximumFractionDigits: 1 }),
    [i18n.language],
  );
  const monthly = d.data?.monthly;
  const x = useMemo(() => monthly?.map((m) => m.month) ?? [], [monthly]);
  const series = useMemo(
    () => (monthly ? [{ label: t(`indicators.platform.measures.${measure}`), values: monthly.map((m) => m.count), color: '#1d4ed8' }] : []),
    [monthly, measure, t],
  );
  const secs = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${nf.format(v)} s`);
  return (
    <div className="tab-panel" data-testid="ind-platform">
      <form className="card ind-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('indicators.platform.measure')}
          <select
            value={measure}
            onChange={(e) => setMeasure(e.target.value as (typeof MEASURES)[number])}
            data-testid="ind-platform-measure"
          >
            {MEASURES.map((m) => (
              <option key={m} value={m}>
                {t(`indicators.platform.measures.${m}`)}
              </option>
            ))}
          </select>
        </label>
        <div className="ind-period" role="group" aria-labelledby="ind-platform-period">
          <span id="ind-platform-period">{t('indicators.period')}</span>
          <input
            type="month"
            value={from}
            max={to}
            onChange={(e) => e.target.value && setFrom(e.target.value)}
            aria-label={t('indicators.periodAFrom')}
          />
          <span aria-hidden="true">–</span>
          <input
            type="month"
            value={to}
            min={from}
            onChange={(e) => e.target.value && setTo(e.target.value)}
            aria-label={t('indicators.periodATo')}
          />
        </div>
      </form>
      {d.error ? <Alert kind="error">{d.error}</Alert> : null}
      {d.data ? (
        <>
          <p className="muted">
            {t('indicators.platform.note', { total: nf.format(d.data.total), unlocated: nf.format(d.data.unlocated) })}{' '}
            {d.data.notes.map((n) => t(`indicators.notes.${n}`, { defaultValue: n })).join(' ')}
          </p>
          <section className="card">
            <LineChart
              x={x}
              series={series}
              yLabel={t(`indicators.platform.measures.${measure}`)}
              testId="ind-platform-chart"
              height={200}
            />
          </section>
          <section className="card table-wrap">
            <table className="table table--dense" data-testid="ind-platform-table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>{t('indicators.platform.municipality')}</th>
                  <th className="num">{t(`indicators.platform.measures.${measure}`)}</th>
                  <th className="num">{t('indicators.ratePer100k')}</th>
                  <th className="num">{t('indicators.shareOfTotal')}</th>
                  <th className="num">{t('indicators.platform.totalP90')}</th>
                  <th className="num">{t('indicators.platform.dispatchP90')}</th>
                </tr>
              </thead>
              <tbody>
                {d.data.rows.map((r) => (
                  <tr key={r.code} data-testid="ind-platform-row" data-code={r.code}>
                    <td>{r.rank ?? '—'}</td>
                    <td>{r.name}</td>
                    <td className="num">{nf.format(r.count)}</td>
                    <td className="num">{r.rate === null ? '—' : nf.format(r.rate)}</td>
                    <td className="num">{r.share === null ? '—' : `${nf.format(r.share)} %`}</td>
                    <td className="num">{secs(r.stats.totalP90)}</td>
                    <td className="num">{secs(r.stats.dispatchP90)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      ) : null}
    </div>
  );
}
