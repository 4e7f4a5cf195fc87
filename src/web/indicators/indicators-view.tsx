import { lazy, Suspense, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  CRIMES,
  LEVELS,
  METHODOLOGY_LABEL,
  POPULATIONS,
  POPULATION_IDS,
  SOURCES,
  UNIT_LABEL,
  type Level,
} from '../../indicators/catalogue.js';
import {
  getIndicatorCatalogue,
  getIndicatorChange,
  getIndicatorCompare,
  getIndicatorRanking,
  getIndicatorSeries,
  indicatorsCsvUrl,
  type IndicatorCatalogue,
  type IndicatorChange,
  type IndicatorCompare,
  type IndicatorRanking,
  type IndicatorSeries,
  type IndicatorsScope,
} from '../api.js';
import { currentLanguage } from '../i18n.js';
import { navigate, useLocation } from '../router.js';
import { Alert } from '../ui/alert.js';
import { useLoad } from '../ui/use-load.js';
import { BarChart, LineChart, chartCanvas, downloadCanvas } from './charts.js';
import { readState, releaseOf, sourcesFor, withDefaults, writeState, type ViewState } from './view-state.js';
import './indicators.css';

const ChoroplethMap = lazy(() => import('./choropleth-map.js').then((m) => ({ default: m.ChoroplethMap })));

const minMonth = (a: string, b: string) => (a < b ? a : b);
const maxMonth = (a: string, b: string) => (a > b ? a : b);

/** Loads only when `enabled`; a disabled query keeps no data. */
function useQuery<T>(enabled: boolean, load: () => Promise<T>, key: string, fallback: string) {
  return useLoad<T | null>(() => (enabled ? load() : Promise.resolve(null)), enabled ? key : `off:${key}`, fallback);
}

/**
 * The indicators view: choose crime, source, release, population series, level, area and two
 * periods; see the time series, the side-by-side comparison with another source, the ranking, the
 * map of rates and the period-comparison table; export CSV and PNG; share the link. Used by the
 * dashboard (`scope="private"`) and the public page (`scope="public"`), which read the same answers.
 */
export function IndicatorsView({ scope }: { scope: IndicatorsScope }) {
  const { t, i18n } = useTranslation();
  const lang = currentLanguage();
  const { path, search } = useLocation();
  const raw = useMemo(() => readState(search), [search]);
  const cat = useLoad<IndicatorCatalogue>(() => getIndicatorCatalogue(scope), scope, t('common.unexpectedError'));
  const s = useMemo(() => (cat.data ? withDefaults(cat.data, raw) : raw), [cat.data, raw]);
  const ready = !!cat.data && !!s.aFrom && !!s.bFrom;
  const update = (patch: Partial<ViewState>) => navigate(`${path}?${writeState({ ...s, ...patch })}`, { replace: true });
  const nf = useMemo(
    () => new Intl.NumberFormat(i18n.language === 'en' ? 'en-US' : 'es-MX', { maximumFractionDigits: 0 }),
    [i18n.language],
  );
  const nf1 = useMemo(
    () => new Intl.NumberFormat(i18n.language === 'en' ? 'en-US' : 'es-MX', { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
    [i18n.language],
  );
  const num = (v: number | null | undefined) => (v === null || v === undefined ? '—' : nf.format(v));
  const rate = (v: number | null | undefined) => (v === null || v === undefined ? '—' : nf1.format(v));
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v > 0 ? '+' : ''}${nf1.format(v)} %`);

  const a = `${s.aFrom}..${s.aTo}`;
  const b = `${s.bFrom}..${s.bTo}`;
  const common = { source: s.source, release: s.release || undefined, crime: s.crime, population: s.population || undefined };
  const level: Level = s.level;
  const seriesQ = { ...common, area: s.area, period: `${minMonth(s.aFrom, s.bFrom)}..${maxMonth(s.aTo, s.bTo)}` };
  const rankingQ = { ...common, level, period: b, by: 'rate', state: level === 'municipality' ? s.state || undefined : undefined };
  const changeQ = { ...common, level, a, b, state: level === 'municipality' ? s.state || undefined : undefined };
  const [cmpSource, cmpCrime] = s.compare.split(':');
  const compareQ = {
    aSource: s.source,
    aRelease: s.release || undefined,
    aCrime: s.crime,
    bSource: cmpSource,
    bCrime: cmpCrime,
    area: s.area,
    period: seriesQ.period,
    population: s.population || undefined,
  };
  const fallback = t('common.unexpectedError');
  const series = useQuery<IndicatorSeries>(ready, () => getIndicatorSeries(scope, seriesQ), JSON.stringify(seriesQ), fallback);
  const ranking = useQuery<IndicatorRanking>(ready, () => getIndicatorRanking(scope, rankingQ), JSON.stringify(rankingQ), fallback);
  const change = useQuery<IndicatorChange>(ready, () => getIndicatorChange(scope, changeQ), JSON.stringify(changeQ), fallback);
  const compare = useQuery<IndicatorCompare>(
    ready && !!s.compare,
    () => getIndicatorCompare(scope, compareQ),
    JSON.stringify(compareQ),
    fallback,
  );

  const seriesChart = useRef<HTMLDivElement>(null);
  const rankingChart = useRef<HTMLDivElement>(null);
  const compareChart = useRef<HTMLDivElement>(null);
  const [copied, setCopied] = useState(false);

  const monthly = series.data?.monthly;
  const months = useMemo(() => monthly?.map((m) => m.month) ?? [], [monthly]);
  const lines = useMemo(
    () =>
      monthly
        ? [
            { label: t('indicators.monthlyCount'), values: monthly.map((m) => m.count), color: '#1d4ed8' },
            {
              label: t('indicators.sum12'),
              values: monthly.map((m) => (m.sum12 === null ? null : m.sum12 / 12)),
              color: '#b45309',
              dash: true,
            },
          ]
        : [],
    [monthly, t],
  );
  const years = compare.data?.years;
  const compareYears = useMemo(() => years?.map((y) => String(y.year)) ?? [], [years]);
  const compareLines = useMemo(
    () =>
      compare.data
        ? [
            {
              label: `${SOURCES[compare.data.a.source].publisher} · ${CRIMES[compare.data.a.crime].label[lang]}`,
              values: compare.data.years.map((y) => y.rateA),
              color: '#1d4ed8',
            },
            {
              label: `${SOURCES[compare.data.b.source].publisher} · ${CRIMES[compare.data.b.crime].label[lang]}`,
              values: compare.data.years.map((y) => y.rateB),
              color: '#15803d',
            },
          ]
        : [],
    [compare.data, lang],
  );
  const rankRows = ranking.data?.rows;
  const ranked = useMemo(() => (rankRows ?? []).filter((r) => r.rank !== null).slice(0, level === 'state' ? 32 : 30), [rankRows, level]);
  const rankLabels = useMemo(() => ranked.map((r) => r.name), [ranked]);
  const rankValues = useMemo(() => ranked.map((r) => r.rate), [ranked]);
  const mapValues = useMemo(() => new Map((rankRows ?? []).map((r) => [r.code, r.rate])), [rankRows]);

  if (cat.error) return <Alert kind="error">{cat.error}</Alert>;
  if (!cat.data) return <p className="muted">{t('common.loading')}</p>;
  const catalogue = cat.data;
  const sources = sourcesFor(catalogue, s.crime);
  const source = catalogue.sources.find((x) => x.id === s.source)!;
  const releases = source.releases.filter((r) => r.level === level);
  const release = releaseOf(catalogue, s, level);
  const crimes = [...new Set(catalogue.sources.flatMap((x) => x.releases.flatMap((r) => r.crimes)))];
  // Other sources' series of the same phenomenon, to put side by side (never added).
  const family = CRIMES[s.crime].family;
  const comparable = catalogue.sources.flatMap((x) =>
    x.crimes
      .filter((c) => CRIMES[c].family === family && !(x.id === s.source && c === s.crime))
      .map((c) => ({ value: `${x.id}:${c}`, source: x, crime: c })),
  );
  const populations = POPULATION_IDS.filter((id) => POPULATIONS[id].levels.includes(level));
  const meta = series.data?.meta ?? change.data?.meta ?? ranking.data?.meta;
  const areaRow = change.data?.rows.find((r) => r.code === s.area);
  const stateOptions = catalogue.states;
  const municipalityOptions =
    level === 'municipality' && s.state
      ? [...(ranking.data?.rows ?? [])].filter((r) => !r.noData).sort((x, y) => x.name.localeCompare(y.name))
      : [];
  const csv = (what: 'series' | 'ranking' | 'change', q: Record<string, string | undefined>) =>
    indicatorsCsvUrl(scope, what, { ...q, lang });
  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
    } catch {
      /* the address bar holds the same link */
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2500);
  };
  const errors = [series.error, ranking.error, change.error, compare.error].filter((e): e is string => !!e);

  return (
    <div className="ind-view" data-testid="indicators-view">
      <form className="card ind-filters" onSubmit={(e) => e.preventDefault()} data-testid="indicators-filters">
        <label>
          {t('indicators.crime')}
          <select
            value={s.crime}
            onChange={(e) => update({ crime: e.target.value as ViewState['crime'], compare: '' })}
            data-testid="ind-crime"
          >
            {crimes.map((c) => (
              <option key={c} value={c}>
                {CRIMES[c].label[lang]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('indicators.source')}
          <select
            value={s.source}
            onChange={(e) => update({ source: e.target.value as ViewState['source'], release: '', compare: '' })}
            data-testid="ind-source"
          >
            {sources.map((x) => (
              <option key={x.id} value={x.id}>
                {SOURCES[x.id].label[lang]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('indicators.release')}
          <select value={s.release} onChange={(e) => update({ release: e.target.value })} data-testid="ind-release">
            <option value="">{t('indicators.currentRelease', { release: releases.find((r) => r.current)?.release ?? '—' })}</option>
            {releases
              .filter((r) => !r.current)
              .map((r) => (
                <option key={r.id} value={r.release}>
                  {t('indicators.earlierRelease', { release: r.release })}
                </option>
              ))}
          </select>
        </label>
        <label>
          {t('indicators.population')}
          <select
            value={s.population}
            onChange={(e) => update({ population: e.target.value as ViewState['population'] })}
            data-testid="ind-population"
          >
            <option value="">{t('indicators.defaultPopulation')}</option>
            {populations.map((id) => (
              <option key={id} value={id}>
                {POPULATIONS[id].label[lang]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('indicators.level')}
          <select
            value={level}
            onChange={(e) => update({ level: e.target.value as Level, release: '', population: '', state: '', area: '00' })}
            data-testid="ind-level"
          >
            {LEVELS.filter((l) => source.levels.includes(l)).map((l) => (
              <option key={l} value={l} disabled={!source.releases.some((r) => r.level === l)}>
                {t(`indicators.levels.${l}`)}
              </option>
            ))}
          </select>
        </label>
        {level === 'municipality' ? (
          <label>
            {t('indicators.state')}
            <select
              value={s.state}
              onChange={(e) => update({ state: e.target.value, area: e.target.value || '00' })}
              data-testid="ind-state"
            >
              <option value="">{t('indicators.allStates')}</option>
              {catalogue.states.map((x) => (
                <option key={x.code} value={x.code}>
                  {x.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          {t('indicators.area')}
          <select value={s.area} onChange={(e) => update({ area: e.target.value })} data-testid="ind-area">
            <option value="00">{t('indicators.national')}</option>
            {level === 'state'
              ? stateOptions.map((x) => (
                  <option key={x.code} value={x.code}>
                    {x.name}
                  </option>
                ))
              : municipalityOptions.map((x) => (
                  <option key={x.code} value={x.code}>
                    {x.name}
                  </option>
                ))}
          </select>
        </label>
        <div className="ind-period" role="group" aria-labelledby="ind-period-a">
          <span id="ind-period-a">{t('indicators.periodA')}</span>
          <input
            type="month"
            value={s.aFrom}
            onChange={(e) => e.target.value && update({ aFrom: e.target.value })}
            aria-label={t('indicators.periodAFrom')}
            data-testid="ind-a-from"
          />
          <span aria-hidden="true">–</span>
          <input
            type="month"
            value={s.aTo}
            onChange={(e) => e.target.value && update({ aTo: e.target.value })}
            aria-label={t('indicators.periodATo')}
            data-testid="ind-a-to"
          />
        </div>
        <div className="ind-period" role="group" aria-labelledby="ind-period-b">
          <span id="ind-period-b">{t('indicators.periodB')}</span>
          <input
            type="month"
            value={s.bFrom}
            onChange={(e) => e.target.value && update({ bFrom: e.target.value })}
            aria-label={t('indicators.periodBFrom')}
            data-testid="ind-b-from"
          />
          <span aria-hidden="true">–</span>
          <input
            type="month"
            value={s.bTo}
            onChange={(e) => e.target.value && update({ bTo: e.target.value })}
            aria-label={t('indicators.periodBTo')}
            data-testid="ind-b-to"
          />
        </div>
        <label>
          {t('indicators.compareWith')}
          <select value={s.compare} onChange={(e) => update({ compare: e.target.value })} data-testid="ind-compare">
            <option value="">{t('indicators.noCompare')}</option>
            {comparable.map((c) => (
              <option key={c.value} value={c.value}>
                {SOURCES[c.source.id].publisher} · {CRIMES[c.crime].label[lang]} ({t(`indicators.units.${SOURCES[c.source.id].unit}`)})
              </option>
            ))}
          </select>
        </label>
        <div className="ind-share">
          <button type="button" className="btn" onClick={() => void copyLink()} data-testid="ind-share">
            {t('indicators.copyLink')}
          </button>
          {copied ? (
            <span className="muted" role="status" data-testid="ind-share-status">
              {t('indicators.linkCopied')}
            </span>
          ) : null}
        </div>
      </form>

      {errors.map((e) => (
        <Alert key={e} kind="error" testId="ind-error">
          {e}
        </Alert>
      ))}

      {meta && release ? (
        <section className="card ind-provenance" data-testid="ind-provenance" aria-label={t('indicators.provenance')}>
          <dl className="kv kv--compact">
            <dt>{t('indicators.source')}</dt>
            <dd>{SOURCES[meta.source].label[lang]}</dd>
            <dt>{t('indicators.methodology')}</dt>
            <dd>
              {METHODOLOGY_LABEL[SOURCES[meta.source].methodology][lang]} · {UNIT_LABEL[SOURCES[meta.source].unit][lang]}
            </dd>
            <dt>{t('indicators.release')}</dt>
            <dd data-testid="ind-provenance-release">
              {meta.release} ({t('indicators.coverage', { from: meta.coverage.from, to: meta.coverage.to })})
              {meta.current ? '' : ` · ${t('indicators.notCurrent')}`}
            </dd>
            <dt>{t('indicators.population')}</dt>
            <dd data-testid="ind-provenance-population">{meta.population ? POPULATIONS[meta.population].label[lang] : '—'}</dd>
          </dl>
          <ul className="ind-notes">
            {[...new Set([...(meta.notes ?? []), ...(change.data?.meta.notes ?? [])])].map((n) => (
              <li key={n}>{t(`indicators.notes.${n}`, { defaultValue: n })}</li>
            ))}
          </ul>
        </section>
      ) : null}

      {areaRow && change.data ? (
        <div className="ind-cards" data-testid="ind-summary">
          <div className="card ind-card">
            <span className="ind-card-label">
              {areaRow.code === '00' ? t('indicators.national') : areaRow.name} · {change.data.b.label}
            </span>
            <strong data-testid="ind-summary-count">{num(areaRow.countB)}</strong>
            <small>{t(`indicators.units.${SOURCES[change.data.meta.source].unit}`)}</small>
          </div>
          <div className="card ind-card">
            <span className="ind-card-label">{t('indicators.ratePer100k')}</span>
            <strong data-testid="ind-summary-rate">{rate(areaRow.rateB)}</strong>
            <small>{change.data.b.wholeYears ? t('indicators.annual') : t('indicators.annualised')}</small>
          </div>
          <div className="card ind-card">
            <span className="ind-card-label">{t('indicators.changeFrom', { a: change.data.a.label, b: change.data.b.label })}</span>
            <strong data-testid="ind-summary-change">{pct(areaRow.countChange ?? areaRow.rateChange)}</strong>
            <small>{areaRow.countChange === null ? t('indicators.rateChangeShown') : t('indicators.countChangeShown')}</small>
          </div>
        </div>
      ) : null}

      {series.data ? (
        <section className="card">
          <div className="ind-card-head">
            <h2 className="card-title">
              {t('indicators.seriesTitle', {
                crime: CRIMES[s.crime].label[lang],
                area: series.data.area.code === '00' ? t('indicators.national') : series.data.area.name,
              })}
            </h2>
            <div className="toolbar">
              <a
                className="btn btn--small"
                href={csv('series', { ...seriesQ, granularity: 'month' })}
                download
                data-testid="ind-csv-series"
              >
                CSV
              </a>
              <button
                type="button"
                className="btn btn--small"
                onClick={() => {
                  const c = chartCanvas(seriesChart.current);
                  if (c) downloadCanvas(c, `serie-${s.crime}-${s.area}.png`);
                }}
                data-testid="ind-png-series"
              >
                PNG
              </button>
            </div>
          </div>
          <div ref={seriesChart}>
            <LineChart x={months} series={lines} yLabel={t(`indicators.units.${SOURCES[s.source].unit}`)} testId="ind-series-chart" />
          </div>
          <p className="muted ind-chart-note">{t('indicators.sum12Note')}</p>
        </section>
      ) : null}

      {compare.data ? (
        <section className="card">
          <div className="ind-card-head">
            <h2 className="card-title">{t('indicators.compareTitle')}</h2>
            <div className="toolbar">
              <button
                type="button"
                className="btn btn--small"
                onClick={() => {
                  const c = chartCanvas(compareChart.current);
                  if (c) downloadCanvas(c, `comparacion-${s.crime}-${s.area}.png`);
                }}
                data-testid="ind-png-compare"
              >
                PNG
              </button>
            </div>
          </div>
          <div ref={compareChart}>
            <LineChart
              x={compareYears}
              series={compareLines}
              yLabel={t('indicators.ratePer100k')}
              testId="ind-compare-chart"
              height={220}
            />
          </div>
          <div className="table-wrap">
            <table className="table table--dense" data-testid="ind-compare-table">
              <thead>
                <tr>
                  <th>{t('indicators.year')}</th>
                  <th className="num">{compareLines[0]?.label}</th>
                  <th className="num">{compareLines[1]?.label}</th>
                  <th className="num">{t('indicators.ratio')}</th>
                </tr>
              </thead>
              <tbody>
                {compare.data.years.map((y) => (
                  <tr key={y.year}>
                    <td>
                      {y.year}
                      {y.months < 12 ? '*' : ''}
                    </td>
                    <td className="num">{y.countA === null ? t('indicators.noData') : `${num(y.countA)} (${rate(y.rateA)})`}</td>
                    <td className="num">{y.countB === null ? t('indicators.noData') : `${num(y.countB)} (${rate(y.rateB)})`}</td>
                    <td className="num">{y.ratio === null ? '—' : nf1.format(y.ratio)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted ind-chart-note">{t('indicators.compareNote')}</p>
        </section>
      ) : null}

      {ranking.data ? (
        <div className="ind-grid">
          <section className="card">
            <div className="ind-card-head">
              <h2 className="card-title">{t('indicators.rankingTitle', { period: ranking.data.period.label })}</h2>
              <div className="toolbar">
                <a className="btn btn--small" href={csv('ranking', rankingQ)} download data-testid="ind-csv-ranking">
                  CSV
                </a>
                <button
                  type="button"
                  className="btn btn--small"
                  onClick={() => {
                    const c = chartCanvas(rankingChart.current);
                    if (c) downloadCanvas(c, `ranking-${s.crime}-${ranking.data?.period.label}.png`);
                  }}
                  data-testid="ind-png-ranking"
                >
                  PNG
                </button>
              </div>
            </div>
            <div ref={rankingChart}>
              <BarChart
                labels={rankLabels}
                values={rankValues}
                color="#b91c1c"
                yLabel={t('indicators.ratePer100k')}
                testId="ind-ranking-chart"
              />
            </div>
            {ranking.data.missing ? <p className="muted">{t('indicators.missingAreas', { count: ranking.data.missing })}</p> : null}
          </section>
          <section className="card">
            <h2 className="card-title">{t('indicators.mapTitle', { period: ranking.data.period.label })}</h2>
            <Suspense fallback={<p className="muted">{t('common.loading')}</p>}>
              <ChoroplethMap
                scope={scope}
                layer={level === 'state' ? 'estados' : 'municipios'}
                values={mapValues}
                format={(v) => rate(v)}
                testId="ind-map"
                fileName={`mapa-${s.crime}-${ranking.data.period.label}.png`}
              />
            </Suspense>
          </section>
        </div>
      ) : null}

      {change.data ? (
        <section className="card">
          <div className="ind-card-head">
            <h2 className="card-title">{t('indicators.changeTitle', { a: change.data.a.label, b: change.data.b.label })}</h2>
            <div className="toolbar">
              <a className="btn btn--small" href={csv('change', changeQ)} download data-testid="ind-csv-change">
                CSV
              </a>
            </div>
          </div>
          {!change.data.equalLength ? <p className="muted">{t('indicators.notes.unequal_periods')}</p> : null}
          <div className="table-wrap">
            <table className="table table--dense" data-testid="ind-change-table">
              <thead>
                <tr>
                  <th>{t('indicators.area')}</th>
                  <th className="num">{change.data.a.label}</th>
                  <th className="num">{change.data.b.label}</th>
                  <th className="num">{t('indicators.change')}</th>
                  <th className="num">
                    {t('indicators.rate')} {change.data.a.label}
                  </th>
                  <th className="num">
                    {t('indicators.rate')} {change.data.b.label}
                  </th>
                  <th className="num">{t('indicators.rateChange')}</th>
                  <th className="num">{t('indicators.shareOfNational')}</th>
                </tr>
              </thead>
              <tbody>
                {change.data.rows.map((r) => (
                  <tr
                    key={r.code}
                    data-testid="ind-change-row"
                    data-code={r.code}
                    className={r.code === s.area ? 'is-selected' : undefined}
                  >
                    <td>{r.code === '00' ? t('indicators.national') : r.name}</td>
                    <td className="num">{r.noData ? t('indicators.noData') : num(r.countA)}</td>
                    <td className="num">{r.noData ? t('indicators.noData') : num(r.countB)}</td>
                    <td className="num" data-testid="ind-change-pct">
                      {pct(r.countChange)}
                    </td>
                    <td className="num">{rate(r.rateA)}</td>
                    <td className="num">{rate(r.rateB)}</td>
                    <td className="num">{pct(r.rateChange)}</td>
                    <td className="num">{r.shareB === null ? '—' : `${nf1.format(r.shareB)} %`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  );
}
