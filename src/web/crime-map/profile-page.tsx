import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, getAnalysisTimeseries, getAreaProfile, type AreaProfile, type ProfileFigures } from '../api.js';
import { Link, navigate, useLocation } from '../router.js';
import { GI_COLORS, giConfidence } from './colors.js';
import { HeatGrid } from './heat-grid.js';
import { ProfileMap } from './profile-map.js';
import { monthBounds, monthsBack } from './view-state.js';
import './profile.css';

const AREA = /^(colonia|quadrant|municipality):[\w.-]{1,40}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The peers of the rank, in the interface's words (the API names them in English). */
export function peersKey(peers: string): 'colonias' | 'quadrants' | 'municipalities' | null {
  const p = peers.toLowerCase();
  if (p.includes('colonia')) return 'colonias';
  if (p.includes('quadrant') || p.includes('cuadrante')) return 'quadrants';
  if (p.includes('municipal')) return 'municipalities';
  return null;
}

export const profileUrl = (area: string, from: string, to: string) =>
  `/mapa/perfil?${new URLSearchParams({ area, ...(from ? { from } : {}), ...(to ? { to } : {}) }).toString()}`;

/** /mapa/perfil?area=colonia:<id>&from&to — a neighbourhood's crime profile, printable as a report. */
export default function AreaProfilePage() {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const { search } = useLocation();
  const area = search.get('area') ?? '';
  const from = DATE.test(search.get('from') ?? '') ? search.get('from')! : '';
  const to = DATE.test(search.get('to') ?? '') ? search.get('to')! : '';
  const valid = AREA.test(area);
  const [data, setData] = useState<AreaProfile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState({ from, to });
  useEffect(() => setDraft({ from, to }), [from, to]);

  const go = (f: string, tt: string, replace = false) => navigate(profileUrl(area, f, tt), { replace });

  // Without a period, the last three months with records in the area.
  useEffect(() => {
    if (!valid || (from && to)) return;
    const ctrl = new AbortController();
    getAnalysisTimeseries({ area, interval: 'month' }, ctrl.signal)
      .then((ts) => {
        const last = [...ts.buckets].reverse().find((b) => b.count > 0) ?? ts.buckets[ts.buckets.length - 1];
        if (!last) {
          setError(t('profile.noData'));
          return;
        }
        const end = monthBounds(last.start.slice(0, 7))[1];
        navigate(profileUrl(area, monthsBack(end, 2), end), { replace: true });
      })
      .catch((err: unknown) => !ctrl.signal.aborted && setError(err instanceof ApiError ? err.message : t('common.unexpectedError')));
    return () => ctrl.abort();
  }, [area, from, to, valid, t]);

  useEffect(() => {
    if (!valid || !from || !to) return;
    const ctrl = new AbortController();
    setData(null);
    setError(null);
    getAreaProfile({ area, from, to }, ctrl.signal)
      .then(setData)
      .catch((err: unknown) => !ctrl.signal.aborted && setError(err instanceof ApiError ? err.message : t('common.unexpectedError')));
    return () => ctrl.abort();
  }, [area, from, to, valid, t]);

  useEffect(() => {
    document.title = `${data ? data.area.name : t('profile.title')} · ${t('common.appName')}`;
  }, [data, t]);

  const nf = (v: number | null | undefined, d = 0) =>
    v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toLocaleString(en ? 'en-US' : 'es-MX', { maximumFractionDigits: d });
  const change = (v: number | null) => (v === null ? t('profile.noBase') : `${v > 0 ? '+' : v < 0 ? '−' : ''}${nf(Math.abs(v), 1)} %`);
  const changeClass = (v: number | null) => (v === null || v === 0 ? '' : v > 0 ? 'profile-up' : 'profile-down');
  const hotCounts = useMemo(() => {
    const c = new Map<number, number>();
    for (const f of data?.hotspots.features ?? []) {
      const b = Number(f.properties?.bin ?? 0);
      c.set(b, (c.get(b) ?? 0) + 1);
    }
    return c;
  }, [data]);

  if (!valid) {
    return (
      <div className="page page--narrow" data-testid="area-profile" data-status="error">
        <p className="empty-state">{t('profile.badArea')}</p>
        <Link to="/mapa" className="btn btn--primary">
          {t('profile.backToMap')}
        </Link>
      </div>
    );
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (draft.from && draft.to && draft.to < draft.from) {
      setError(t('crimeMap.filters.invertedDates'));
      return;
    }
    go(draft.from, draft.to);
  };
  const summary = (label: string, fig: ProfileFigures | undefined, testId: string, value: string, sub: string, cls = '') => (
    <div className="profile-card" data-testid={testId}>
      <span className="profile-card-label">{label}</span>
      <strong className={`profile-card-value ${cls}`}>{value}</strong>
      <span className="profile-card-sub">{fig ? sub : ''}</span>
    </div>
  );
  const kindLabel = data ? t(`crimeMap.areaKind.${data.area.kind}`) : t(`crimeMap.areaKind.${area.split(':')[0]}`);
  const peers = data ? peersKey(data.rank.peers) : null;
  const mapLink = `/mapa?${new URLSearchParams({ area, ...(from ? { from } : {}), ...(to ? { to } : {}), ch: area.startsWith('municipality') ? 'colonia' : 'h3:9' })}`;

  return (
    <div className="page profile-page" data-testid="area-profile" data-status={data ? 'ready' : error ? 'error' : 'loading'}>
      <div className="profile-controls no-print">
        <Link to={mapLink} className="btn btn--small" data-testid="profile-map-link">
          ← {t('profile.backToMap')}
        </Link>
        <form className="profile-period" onSubmit={submit}>
          <label className="field">
            <span>{t('crimeMap.filters.from')}</span>
            <input
              type="date"
              value={draft.from}
              onChange={(e) => setDraft({ ...draft, from: e.target.value })}
              data-testid="profile-from"
            />
          </label>
          <label className="field">
            <span>{t('crimeMap.filters.to')}</span>
            <input type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} data-testid="profile-to" />
          </label>
          <button type="submit" className="btn" data-testid="profile-apply">
            {t('profile.apply')}
          </button>
        </form>
        <button type="button" className="btn btn--primary" onClick={() => window.print()} disabled={!data} data-testid="profile-print">
          {t('profile.print')}
        </button>
      </div>
      {error ? (
        <p className="alert alert--error" role="alert" data-testid="profile-error">
          {error}
        </p>
      ) : null}
      {!data ? (
        !error ? (
          <p className="muted" role="status">
            {t('common.loading')}
          </p>
        ) : null
      ) : (
        <article className="profile-doc" aria-labelledby="profile-title">
          <header className="profile-head">
            <p className="profile-kicker">{t('profile.kicker', { kind: kindLabel })}</p>
            <h1 id="profile-title" data-testid="profile-title">
              {data.area.name}
            </h1>
            <p className="profile-meta">
              {t('profile.period', { from: data.period.from, to: data.period.to })}
              {' · '}
              {data.area.population ? t('profile.population', { n: nf(data.area.population) }) : t('profile.noPopulation')}
              {' · '}
              {t('profile.area', { n: nf(data.area.areaKm2, 2) })}
            </p>
          </header>

          <section className="profile-cards" aria-label={t('profile.summary')}>
            {summary(
              t('profile.total'),
              data.total,
              'profile-total',
              nf(data.total.count),
              t('profile.rate', { n: nf(data.total.ratePer1000, 2) }),
            )}
            {summary(
              t('profile.vsPrevious'),
              data.total,
              'profile-change-previous',
              change(data.total.changePrevious),
              t('profile.against', { n: nf(data.total.previous), from: data.previous.from, to: data.previous.to }),
              changeClass(data.total.changePrevious),
            )}
            {summary(
              t('profile.vsLastYear'),
              data.total,
              'profile-change-year',
              change(data.total.changeLastYear),
              t('profile.against', { n: nf(data.total.lastYear), from: data.lastYear.from, to: data.lastYear.to }),
              changeClass(data.total.changeLastYear),
            )}
            <div className="profile-card" data-testid="profile-rank">
              <span className="profile-card-label">{t('profile.rank')}</span>
              <strong className="profile-card-value">
                {t('profile.rankValue', { position: nf(data.rank.position), of: nf(data.rank.of) })}
              </strong>
              <span className="profile-card-sub">{peers ? t(`profile.peers.${peers}`) : data.rank.peers}</span>
            </div>
          </section>

          <section className="profile-section">
            <h2>{t('profile.byType')}</h2>
            {data.byType.length ? (
              <div className="table-wrap">
                <table className="table table--dense profile-table" data-testid="profile-types">
                  <thead>
                    <tr>
                      <th scope="col">{t('profile.crime')}</th>
                      <th scope="col">{t('profile.count')}</th>
                      <th scope="col">{t('profile.ratePer1000')}</th>
                      <th scope="col">{t('profile.previousCount')}</th>
                      <th scope="col">{t('profile.changePrevious')}</th>
                      <th scope="col">{t('profile.lastYearCount')}</th>
                      <th scope="col">{t('profile.changeLastYear')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.byType.map((r) => (
                      <tr key={r.code} data-testid="profile-type-row" data-code={r.code}>
                        <th scope="row">{en ? r.nameEn : r.name}</th>
                        <td>{nf(r.count)}</td>
                        <td>{nf(r.ratePer1000, 2)}</td>
                        <td>{nf(r.previous)}</td>
                        <td className={changeClass(r.changePrevious)}>{change(r.changePrevious)}</td>
                        <td>{nf(r.lastYear)}</td>
                        <td className={changeClass(r.changeLastYear)}>{change(r.changeLastYear)}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr>
                      <th scope="row">{t('profile.total')}</th>
                      <td>{nf(data.total.count)}</td>
                      <td>{nf(data.total.ratePer1000, 2)}</td>
                      <td>{nf(data.total.previous)}</td>
                      <td className={changeClass(data.total.changePrevious)}>{change(data.total.changePrevious)}</td>
                      <td>{nf(data.total.lastYear)}</td>
                      <td className={changeClass(data.total.changeLastYear)}>{change(data.total.changeLastYear)}</td>
                    </tr>
                  </tfoot>
                </table>
              </div>
            ) : (
              <p className="muted">{t('profile.noCrimes')}</p>
            )}
            <p className="muted profile-note">{t('profile.changeNote')}</p>
          </section>

          <section className="profile-section profile-break-avoid">
            <h2>{t('profile.whenTitle')}</h2>
            <HeatGrid counts={data.matrix} testId="profile-heat" caption={t('profile.whenCaption')} />
          </section>

          <section className="profile-section profile-break-avoid">
            <h2>{t('profile.hotspots')}</h2>
            <div className="profile-hot">
              <ProfileMap kind={data.area.kind} code={data.area.id} hotspots={data.hotspots} />
              <div>
                <p data-testid="profile-hotspot-count">{t('profile.hotspotCount', { count: data.hotspots.features.length })}</p>
                <ul className="profile-hot-legend">
                  {[3, 2, 1].map((b) => (
                    <li key={b}>
                      <i style={{ background: GI_COLORS[b as 1 | 2 | 3] }} aria-hidden="true" />
                      {t('crimeMap.legend.hot', { confidence: giConfidence(b) })}: {hotCounts.get(b) ?? 0}
                    </li>
                  ))}
                </ul>
                <p className="muted profile-note">{t('profile.hotspotsNote')}</p>
              </div>
            </div>
          </section>
          <footer className="profile-foot">{t('profile.footer', { date: new Date().toLocaleDateString(en ? 'en-US' : 'es-MX') })}</footer>
        </article>
      )}
    </div>
  );
}
