import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, FORECAST_METHODS, getAnalysisForecast, type ForecastEvaluation } from '../api.js';
import { filtersOf, type MapState } from './view-state.js';

const COVERAGES = [0.01, 0.05, 0.1, 0.2] as const;

/**
 * How well last period's forecast did, in plain words (the API's sentence), with the hit rate,
 * PAI, PEI and RRI of the forecast and of the naive baselines it has to beat.
 */
export function ForecastPanel({ state }: { state: MapState }) {
  const { t, i18n } = useTranslation();
  const [coverage, setCoverage] = useState(0.05);
  const [data, setData] = useState<ForecastEvaluation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const filters = filtersOf(state);
  const key = JSON.stringify([filters, state.unit, state.resolution, state.cellSize, coverage]);
  const ready = !!(state.from && state.to);
  useEffect(() => {
    if (!ready) return;
    const ctrl = new AbortController();
    const [f, unit, resolution, cellSize, cov] = JSON.parse(key) as [typeof filters, MapState['unit'], number, number, number];
    setLoading(true);
    setError(null);
    getAnalysisForecast({ ...f, unit, resolution, cellSize, coverage: cov, weeks: 4 }, ctrl.signal)
      .then((d) => setData(d))
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return;
        setData(null);
        setError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
      })
      .finally(() => !ctrl.signal.aborted && setLoading(false));
    return () => ctrl.abort();
  }, [key, ready, t]);
  const en = i18n.language === 'en';
  const pct = (v: number | null) =>
    v === null ? '—' : `${(v * 100).toLocaleString(en ? 'en-US' : 'es-MX', { maximumFractionDigits: 1 })} %`;
  const num = (v: number | null) => (v === null ? '—' : v.toLocaleString(en ? 'en-US' : 'es-MX', { maximumFractionDigits: 2 }));
  const ordered = data ? FORECAST_METHODS.map((m) => data.methods.find((x) => x.method === m)).filter((x) => !!x) : [];
  return (
    <section className="cm-panel" data-testid="cm-forecast" aria-labelledby="cm-forecast-title" aria-busy={loading}>
      <h2 className="cm-panel-title" id="cm-forecast-title">
        {t('crimeMap.forecast.title')}
      </h2>
      <label className="field">
        <span>{t('crimeMap.forecast.coverage')}</span>
        <select value={coverage} onChange={(e) => setCoverage(Number(e.target.value))} data-testid="cm-forecast-coverage">
          {COVERAGES.map((c) => (
            <option key={c} value={c}>
              {t('crimeMap.forecast.coverageOption', { pct: c * 100 })}
            </option>
          ))}
        </select>
      </label>
      {error ? (
        <p className="alert alert--warning cm-small" role="alert" data-testid="cm-forecast-error">
          {error}
        </p>
      ) : null}
      {data ? (
        <>
          <p className="cm-forecast-sentence" data-testid="cm-forecast-sentence">
            {en ? data.sentence.en : data.sentence.es}
          </p>
          <div className="table-wrap">
            <table className="table table--dense" data-testid="cm-forecast-table">
              <caption className="visually-hidden">
                {t('crimeMap.forecast.caption', { from: data.period.from, to: data.period.to })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t('crimeMap.forecast.method')}</th>
                  <th scope="col" title={t('crimeMap.forecast.hitRateHelp')}>
                    {t('crimeMap.forecast.hitRate')}
                  </th>
                  <th scope="col" title={t('crimeMap.forecast.paiHelp')}>
                    PAI
                  </th>
                  <th scope="col" title={t('crimeMap.forecast.peiHelp')}>
                    PEI
                  </th>
                  <th scope="col" title={t('crimeMap.forecast.rriHelp')}>
                    RRI
                  </th>
                </tr>
              </thead>
              <tbody>
                {ordered.map((m) => (
                  <tr key={m.method} data-testid="cm-forecast-row" data-method={m.method}>
                    <th scope="row">{t(`crimeMap.forecastMethod.${m.method}`)}</th>
                    <td>{pct(m.hitRate)}</td>
                    <td>{num(m.pai)}</td>
                    <td>{pct(m.pei)}</td>
                    <td>{num(m.rri)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted cm-small">{t('crimeMap.forecast.note', { from: data.period.from, to: data.period.to })}</p>
        </>
      ) : loading ? (
        <p className="muted cm-small">{t('common.loading')}</p>
      ) : null}
    </section>
  );
}
