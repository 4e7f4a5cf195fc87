import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  ANALYSIS_METHODS,
  cancelAnalysisJob,
  createAnalysisJob,
  getAnalysisJob,
  WEIGHT_KINDS,
  type AnalysisJob,
  type AnalysisJobRequest,
  type AnalysisMethod,
  type AnalysisResult,
  type KnoxTable,
  type WeightKind,
} from '../api.js';
import type { AnalysisLayer } from './analysis-map.js';
import { filtersOf, type MapState } from './view-state.js';

/** How often a running job is asked for its progress. */
const POLL_MS = 400;

/** The job's result as a map layer (classes on cells or a heat surface), or the Knox table. */
export function resultLayer(method: AnalysisMethod, result: AnalysisResult | undefined): AnalysisLayer | KnoxTable | null {
  if (!result) return null;
  if ('kind' in result && result.kind === 'raster') return { kind: 'kde', raster: result };
  if ('kind' in result && result.kind === 'table') return result;
  if ('features' in result && (method === 'gistar' || method === 'localmoran' || method === 'emerging'))
    return { kind: method, data: result };
  return null;
}

type Options = {
  method: AnalysisMethod;
  weights: WeightKind;
  distance: number;
  k: number;
  fdr: boolean;
  kernel: 'quartic' | 'gaussian';
  bandwidth: string;
  timeStep: 'week' | 'month';
  spaceBand: number;
  timeBand: number;
};

/** The job's request: the map's filters over the whole period and only the options the method uses. */
export function jobRequest(state: MapState, o: Options): AnalysisJobRequest {
  const base = { method: o.method, ...filtersOf(state) };
  const unit = {
    unit: state.unit,
    ...(state.unit === 'h3' ? { resolution: state.resolution } : {}),
    ...(state.unit === 'grid' ? { cellSize: state.cellSize } : {}),
  };
  const weights = {
    weights: o.weights,
    ...(o.weights === 'distance' ? { distance: o.distance } : {}),
    ...(o.weights === 'knn' ? { k: o.k } : {}),
  };
  switch (o.method) {
    case 'gistar':
      return { ...base, ...unit, ...weights, fdr: o.fdr };
    case 'localmoran':
      return { ...base, ...unit, ...weights };
    case 'emerging':
      return { ...base, ...unit, ...weights, fdr: o.fdr, timeStep: o.timeStep };
    case 'kde': {
      const bw = Number(o.bandwidth);
      return { ...base, kernel: o.kernel, bandwidth: o.bandwidth.trim() === '' || !(bw > 0) ? 'rule' : bw };
    }
    case 'knox':
      return {
        ...base,
        spaceBands: 4,
        spaceBandwidth: o.spaceBand,
        timeBands: 4,
        timeBandwidth: o.timeBand,
      };
  }
}

type Props = {
  state: MapState;
  /** The filters the result was computed with: when they change, the panel lets go of the job (and cancels it if it runs). */
  filtersKey: string;
  /** Shown on the map (and kept in the URL) when a job is done. */
  onJob: (id: string) => void;
  onResult: (layer: AnalysisLayer | null) => void;
};

/** Hot spot analysis as a job: method and options, a progress bar, cancel, and the Knox table when that is the method. */
export function AnalysisPanel({ state, filtersKey, onJob, onResult }: Props) {
  const { t, i18n } = useTranslation();
  const [o, setO] = useState<Options>({
    method: 'gistar',
    weights: 'queen',
    distance: 1000,
    k: 8,
    fdr: true,
    kernel: 'quartic',
    bandwidth: '',
    timeStep: 'month',
    spaceBand: 200,
    timeBand: 7,
  });
  const [job, setJob] = useState<AnalysisJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [knox, setKnox] = useState<KnoxTable | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** The job being followed: answers about any other are dropped. */
  const following = useRef<string | null>(null);
  const live = useRef(true);
  const cbs = useRef({ onJob, onResult });
  cbs.current = { onJob, onResult };

  const stopPolling = () => {
    following.current = null;
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };

  const follow = (id: string) => {
    stopPolling();
    following.current = id;
    const poll = () => {
      getAnalysisJob(id)
        .then((j) => {
          if (!live.current || following.current !== id) return;
          setJob(j);
          if (j.status === 'queued' || j.status === 'running') {
            timer.current = setTimeout(poll, POLL_MS);
            return;
          }
          if (j.status === 'done') {
            const r = resultLayer(j.method, j.result);
            if (r && 'kind' in r && r.kind === 'table') {
              setKnox(r);
              cbs.current.onResult(null);
            } else {
              setKnox(null);
              cbs.current.onResult(r as AnalysisLayer | null);
            }
          }
        })
        .catch((err: unknown) => {
          if (!live.current || following.current !== id) return;
          if (err instanceof ApiError && err.status === 404) {
            // A job the server no longer holds (a link from yesterday): forget it quietly.
            setJob(null);
            cbs.current.onJob('');
            return;
          }
          setError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
        });
    };
    poll();
  };

  // A job named by the URL (a shared link, a reload): show its state and result.
  const jobId = state.job;
  useEffect(() => {
    live.current = true;
    if (jobId && jobId !== following.current && jobId !== job?.id) follow(jobId);
  });
  useEffect(
    () => () => {
      live.current = false;
      stopPolling();
    },
    [],
  );
  // New filters: the shown job no longer answers them.
  const lastFilters = useRef(filtersKey);
  useEffect(() => {
    if (lastFilters.current === filtersKey) return;
    lastFilters.current = filtersKey;
    const running = job && (job.status === 'queued' || job.status === 'running') ? job.id : null;
    stopPolling();
    setJob(null);
    setKnox(null);
    setError(null);
    if (running) cancelAnalysisJob(running).catch(() => undefined);
  }, [filtersKey, job]);

  const run = async () => {
    setError(null);
    setKnox(null);
    cbs.current.onResult(null);
    try {
      const { id } = await createAnalysisJob(jobRequest(state, o));
      setJob({ id, method: o.method, status: 'queued', progress: 0 });
      follow(id);
      cbs.current.onJob(id);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
    }
  };
  const cancel = async () => {
    if (!job) return;
    stopPolling();
    try {
      const j = await cancelAnalysisJob(job.id);
      setJob(j && j.status ? j : { ...job, status: 'cancelled' });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
    }
  };
  const clear = () => {
    stopPolling();
    setJob(null);
    setKnox(null);
    cbs.current.onResult(null);
    cbs.current.onJob('');
  };

  const running = job?.status === 'queued' || job?.status === 'running';
  const pct = Math.round((job?.progress ?? 0) * 100);
  const set = (patch: Partial<Options>) => setO((x) => ({ ...x, ...patch }));
  const usesWeights = o.method === 'gistar' || o.method === 'localmoran' || o.method === 'emerging';
  const nf = (v: number | null, d = 2) =>
    v === null || !Number.isFinite(v) ? '—' : v.toLocaleString(i18n.language === 'en' ? 'en-US' : 'es-MX', { maximumFractionDigits: d });

  return (
    <section className="cm-panel" data-testid="cm-analysis" aria-labelledby="cm-analysis-title">
      <h2 className="cm-panel-title" id="cm-analysis-title">
        {t('crimeMap.analysis.title')}
      </h2>
      <label className="field">
        <span>{t('crimeMap.analysis.method')}</span>
        <select
          value={o.method}
          onChange={(e) => set({ method: e.target.value as AnalysisMethod })}
          disabled={running}
          data-testid="cm-method"
        >
          {ANALYSIS_METHODS.map((m) => (
            <option key={m} value={m}>
              {t(`crimeMap.method.${m}`)}
            </option>
          ))}
        </select>
      </label>
      <p className="muted cm-small">{t(`crimeMap.methodHelp.${o.method}`)}</p>
      {usesWeights ? (
        <>
          <p className="cm-small">{t('crimeMap.analysis.onUnit', { unit: t(`crimeMap.unit.${state.unit}`) })}</p>
          <div className="cm-row">
            <label className="field">
              <span>{t('crimeMap.analysis.weights')}</span>
              <select
                value={o.weights}
                onChange={(e) => set({ weights: e.target.value as WeightKind })}
                disabled={running}
                data-testid="cm-weights"
              >
                {WEIGHT_KINDS.map((w) => (
                  <option key={w} value={w}>
                    {t(`crimeMap.weights.${w}`)}
                  </option>
                ))}
              </select>
            </label>
            {o.weights === 'distance' ? (
              <label className="field">
                <span>{t('crimeMap.analysis.distance')}</span>
                <input
                  type="number"
                  min={50}
                  step={50}
                  value={o.distance}
                  onChange={(e) => set({ distance: Number(e.target.value) })}
                  disabled={running}
                  data-testid="cm-distance"
                />
              </label>
            ) : null}
            {o.weights === 'knn' ? (
              <label className="field">
                <span>{t('crimeMap.analysis.k')}</span>
                <input
                  type="number"
                  min={1}
                  max={30}
                  value={o.k}
                  onChange={(e) => set({ k: Number(e.target.value) })}
                  disabled={running}
                  data-testid="cm-k"
                />
              </label>
            ) : null}
          </div>
        </>
      ) : null}
      {o.method === 'gistar' || o.method === 'emerging' ? (
        <label className="check">
          <input type="checkbox" checked={o.fdr} onChange={(e) => set({ fdr: e.target.checked })} disabled={running} data-testid="cm-fdr" />
          {t('crimeMap.analysis.fdr')}
        </label>
      ) : null}
      {o.method === 'emerging' ? (
        <label className="field">
          <span>{t('crimeMap.analysis.timeStep')}</span>
          <select
            value={o.timeStep}
            onChange={(e) => set({ timeStep: e.target.value as 'week' | 'month' })}
            disabled={running}
            data-testid="cm-timestep"
          >
            <option value="month">{t('crimeMap.analysis.month')}</option>
            <option value="week">{t('crimeMap.analysis.week')}</option>
          </select>
        </label>
      ) : null}
      {o.method === 'kde' ? (
        <div className="cm-row">
          <label className="field">
            <span>{t('crimeMap.analysis.kernel')}</span>
            <select
              value={o.kernel}
              onChange={(e) => set({ kernel: e.target.value as 'quartic' | 'gaussian' })}
              disabled={running}
              data-testid="cm-kernel"
            >
              <option value="quartic">{t('crimeMap.analysis.quartic')}</option>
              <option value="gaussian">{t('crimeMap.analysis.gaussian')}</option>
            </select>
          </label>
          <label className="field">
            <span>{t('crimeMap.analysis.bandwidth')}</span>
            <input
              type="number"
              min={50}
              step={50}
              placeholder={t('crimeMap.analysis.rule')}
              value={o.bandwidth}
              onChange={(e) => set({ bandwidth: e.target.value })}
              disabled={running}
              data-testid="cm-bandwidth"
            />
          </label>
        </div>
      ) : null}
      {o.method === 'knox' ? (
        <div className="cm-row">
          <label className="field">
            <span>{t('crimeMap.analysis.spaceBand')}</span>
            <input
              type="number"
              min={10}
              step={10}
              value={o.spaceBand}
              onChange={(e) => set({ spaceBand: Number(e.target.value) })}
              disabled={running}
              data-testid="cm-space-band"
            />
          </label>
          <label className="field">
            <span>{t('crimeMap.analysis.timeBand')}</span>
            <input
              type="number"
              min={1}
              value={o.timeBand}
              onChange={(e) => set({ timeBand: Number(e.target.value) })}
              disabled={running}
              data-testid="cm-time-band"
            />
          </label>
        </div>
      ) : null}
      <div className="cm-row">
        <button type="button" className="btn btn--primary" onClick={() => void run()} disabled={running} data-testid="cm-run">
          {t('crimeMap.analysis.run')}
        </button>
        {running ? (
          <button type="button" className="btn btn--danger" onClick={() => void cancel()} data-testid="cm-cancel">
            {t('crimeMap.analysis.cancel')}
          </button>
        ) : job ? (
          <button type="button" className="btn" onClick={clear} data-testid="cm-clear-analysis">
            {t('crimeMap.analysis.clear')}
          </button>
        ) : null}
      </div>
      {job ? (
        <div className="cm-job" data-testid="cm-job" data-status={job.status} aria-live="polite">
          <div
            className="cm-progress"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
            aria-label={t('crimeMap.analysis.progress')}
            data-testid="cm-progress"
            data-value={pct}
          >
            <i style={{ width: `${pct}%` }} />
          </div>
          <p className="cm-small" data-testid="cm-job-status">
            {t(`crimeMap.jobStatus.${job.status}`, { method: t(`crimeMap.method.${job.method}`), pct })}
          </p>
          {job.status === 'failed' && job.error ? (
            <p className="alert alert--error cm-small" role="alert" data-testid="cm-job-error">
              {job.error.message}
            </p>
          ) : null}
        </div>
      ) : null}
      {error ? (
        <p className="alert alert--error cm-small" role="alert" data-testid="cm-job-error">
          {error}
        </p>
      ) : null}
      {knox ? (
        <div className="table-wrap">
          <table className="table table--dense cm-knox" data-testid="cm-knox-table">
            <caption>{t('crimeMap.knox.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('crimeMap.knox.space')}</th>
                <th scope="col">{t('crimeMap.knox.time')}</th>
                <th scope="col">{t('crimeMap.knox.observed')}</th>
                <th scope="col">{t('crimeMap.knox.expected')}</th>
                <th scope="col">{t('crimeMap.knox.ratio')}</th>
                <th scope="col">p</th>
              </tr>
            </thead>
            <tbody>
              {knox.cells.map((c) => (
                <tr
                  key={`${c.spaceBand}-${c.timeBand}`}
                  className={c.p !== null && c.p < 0.05 && (c.ratio ?? 0) > 1 ? 'cm-knox-sig' : undefined}
                >
                  <td>
                    {c.spaceTo === 0
                      ? t('crimeMap.knox.same')
                      : c.spaceTo === null
                        ? `> ${nf(c.spaceFrom, 0)} m`
                        : `${nf(c.spaceFrom, 0)}–${nf(c.spaceTo, 0)} m`}
                  </td>
                  <td>{c.timeTo === null ? `> ${nf(c.timeFrom, 0)} d` : `${nf(c.timeFrom, 0)}–${nf(c.timeTo, 0)} d`}</td>
                  <td>{nf(c.observed, 0)}</td>
                  <td>{nf(c.expected, 1)}</td>
                  <td>{nf(c.ratio)}</td>
                  <td>{nf(c.p, 3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted cm-small">{t('crimeMap.knox.note')}</p>
        </div>
      ) : null}
    </section>
  );
}
