import { Fragment, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dispatchMetricsCsvUrl, getDispatchMetrics, type DispatchMetrics, type MetricsGroup, type MetricsStat } from '../api.js';
import { Alert } from '../ui/alert.js';
import { useLoad } from '../ui/use-load.js';
import { MetricsChart } from './metrics-chart.js';
import './metrics.css';

const INTERVALS = ['answerToCreate', 'createToDispatch', 'dispatchToArrival', 'total'] as const;
type Interval = (typeof INTERVALS)[number];
const GROUPINGS = ['centre', 'municipality', 'priority'] as const;

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** 911 metrics: calls, share of improper calls and response times p50/p90 against the NFPA targets. */
export default function MetricsPage() {
  const { t, i18n } = useTranslation();
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 29 * 86_400_000)));
  const [to, setTo] = useState(isoDay(today));
  const [groupBy, setGroupBy] = useState<(typeof GROUPINGS)[number]>('municipality');
  const query = { from, to, groupBy };
  const m = useLoad<DispatchMetrics>(() => getDispatchMetrics(query), JSON.stringify(query), t('common.unexpectedError'));
  const nf = useMemo(() => new Intl.NumberFormat(i18n.language === 'en' ? 'en' : 'es-MX', { maximumFractionDigits: 1 }), [i18n.language]);
  const pct = (v: number | null) => (v === null ? '—' : `${nf.format(v * 100)} %`);
  const secs = (v: number | null) => (v === null ? '—' : `${nf.format(v)} s`);
  const data = m.data;
  const days = useMemo(() => (data ? data.daily.map((d) => d.date) : []), [data]);
  const series = useMemo(
    () =>
      data
        ? [
            { label: t('metrics.calls'), values: data.daily.map((d) => d.calls), color: '#1d4ed8', kind: 'bars' as const },
            { label: t('metrics.improper'), values: data.daily.map((d) => d.improperCalls), color: '#64748b', kind: 'bars' as const },
            { label: t('metrics.incidents'), values: data.daily.map((d) => d.incidents), color: '#15803d' },
            {
              label: t('metrics.p90Dispatch'),
              values: data.daily.map((d) => d.createToDispatchP90),
              color: '#b45309',
              axis: 'right' as const,
            },
          ]
        : [],
    [data, t],
  );
  const cell = (s: MetricsStat, target: number) => (
    <td className={s.p90 === null ? '' : s.p90 <= target ? 'metric-ok' : 'metric-late'}>
      {secs(s.p50)} / {secs(s.p90)}
      <small> {pct(s.withinTarget)}</small>
    </td>
  );
  const label = (g: MetricsGroup) =>
    groupBy === 'centre'
      ? (g.key.centreName ?? '—')
      : groupBy === 'priority'
        ? (g.key.priority ?? t('metrics.noPriority'))
        : g.key.municipalityName || t('metrics.noLocation');

  return (
    <section className="page metrics-page" data-testid="metrics-page">
      <header className="page-head">
        <h1>{t('metrics.title')}</h1>
        <p className="muted">{t('metrics.subtitle')}</p>
      </header>
      <form className="card form form--inline" onSubmit={(e) => e.preventDefault()} data-testid="metrics-filters">
        <label>
          {t('metrics.from')}
          <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} data-testid="metrics-from" />
        </label>
        <label>
          {t('metrics.to')}
          <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} data-testid="metrics-to" />
        </label>
        <label>
          {t('metrics.groupBy')}
          <select value={groupBy} onChange={(e) => setGroupBy(e.target.value as (typeof GROUPINGS)[number])} data-testid="metrics-group">
            {GROUPINGS.map((g) => (
              <option key={g} value={g}>
                {t(`metrics.by.${g}`)}
              </option>
            ))}
          </select>
        </label>
        <a className="btn" href={dispatchMetricsCsvUrl(query)} download data-testid="metrics-csv">
          {t('metrics.csv')}
        </a>
      </form>
      {m.error ? <Alert kind="error">{m.error}</Alert> : null}
      {data ? (
        <>
          <div className="metric-cards" data-testid="metrics-summary">
            <div className="card metric-card">
              <span className="metric-label">{t('metrics.calls')}</span>
              <strong>{nf.format(data.overall.calls)}</strong>
            </div>
            <div className="card metric-card">
              <span className="metric-label">{t('metrics.improperShare')}</span>
              <strong>{pct(data.overall.improperShare)}</strong>
            </div>
            <div className="card metric-card">
              <span className="metric-label">{t('metrics.incidents')}</span>
              <strong data-testid="metrics-incidents">{nf.format(data.overall.incidents)}</strong>
            </div>
            {INTERVALS.map((k: Interval) => (
              <div
                key={k}
                className={`card metric-card ${data.overall[k].p90 !== null && data.overall[k].p90 <= data.targets[k] ? 'metric-ok' : 'metric-late'}`}
              >
                <span className="metric-label">{t(`metrics.interval.${k}`)} (p90)</span>
                <strong>{secs(data.overall[k].p90)}</strong>
                <small>{t('metrics.target', { seconds: data.targets[k], share: pct(data.overall[k].withinTarget) })}</small>
              </div>
            ))}
          </div>
          <div className="card">
            <MetricsChart
              days={days}
              series={series}
              leftLabel={t('metrics.count')}
              rightLabel={t('metrics.seconds')}
              testId="metrics-chart"
            />
          </div>
          <div className="card table-wrap">
            <table className="table" data-testid="metrics-table">
              <thead>
                <tr>
                  <th>{t(`metrics.by.${groupBy}`)}</th>
                  <th>{t('metrics.calls')}</th>
                  <th>{t('metrics.improperShare')}</th>
                  <th>{t('metrics.incidents')}</th>
                  {INTERVALS.map((k) => (
                    <th key={k}>
                      {t(`metrics.interval.${k}`)}
                      <small> p50 / p90 ({t('metrics.targetShort', { seconds: data.targets[k] })})</small>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.groups.map((g) => (
                  <tr key={JSON.stringify(g.key)} data-testid="metrics-row">
                    <td>{label(g)}</td>
                    <td>{nf.format(g.calls)}</td>
                    <td>{pct(g.improperShare)}</td>
                    <td>{nf.format(g.incidents)}</td>
                    {INTERVALS.map((k) => (
                      <Fragment key={k}>{cell(g[k], data.targets[k])}</Fragment>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}
