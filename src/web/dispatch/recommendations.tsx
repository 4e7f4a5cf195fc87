import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, assignUnits, getRecommendations, type Agency, type Incident, type Recommendations } from '../api.js';
import { currentLanguage, locale } from '../i18n.js';
import { etaMinutes, formatDistance } from './format.js';

type Props = { incidentId: string; agencies: Map<string, Agency>; onAssigned: (incident: Incident) => void };

/**
 * Recommended units (closest suitable available units by estimated travel time) with
 * the minimal set covering every required capability ticked; one "Asignar" action.
 * A unit taken by another console meanwhile (409) shows the server's message and the
 * list is asked again.
 */
export function RecommendedUnits({ incidentId, agencies, onAssigned }: Props) {
  const { t } = useTranslation();
  const loc = locale(currentLanguage());
  const [recs, setRecs] = useState<Recommendations | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (keepError = false) => {
      setLoading(true);
      if (!keepError) setError(null);
      try {
        const r = await getRecommendations(incidentId, 10);
        setRecs(r);
        setChecked(new Set(r.coverage.map((c) => c.unitId)));
        setLoadError(null);
      } catch (err) {
        setLoadError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
      } finally {
        setLoading(false);
      }
    },
    [incidentId, t],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const toggle = (id: string, on: boolean) =>
    setChecked((s) => {
      const n = new Set(s);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });

  const assign = async () => {
    if (!checked.size) return;
    setBusy(true);
    setError(null);
    try {
      const incident = await assignUnits(incidentId, [...checked]);
      onAssigned(incident);
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
      if (err instanceof ApiError && err.status === 409) await load(true);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="detail-block" aria-labelledby="recs-title" data-testid="recommendations" data-loading={loading ? 'true' : 'false'}>
      <div className="detail-block-head">
        <h3 id="recs-title">{t('dispatch.recs.title')}</h3>
        <button type="button" className="btn btn--link btn--small" onClick={() => void load()} disabled={loading}>
          {t('common.refresh')}
        </button>
      </div>
      {recs?.required.length ? (
        <p className="muted small">
          {t('dispatch.recs.required')}{' '}
          {recs.required.map((c) => (
            <span key={c} className="chip">
              {t(`dispatch.capability.${c}`)}
            </span>
          ))}
        </p>
      ) : null}
      {recs?.missing.length ? (
        <p className="field-warning" role="status">
          {t('dispatch.recs.missing', { list: recs.missing.map((c) => t(`dispatch.capability.${c}`)).join(', ') })}
        </p>
      ) : null}
      {loadError ? (
        <p className="field-error" role="alert">
          {loadError}
        </p>
      ) : null}
      {recs && !recs.ranked.length ? <p className="muted">{t('dispatch.recs.none')}</p> : null}
      {recs?.ranked.length ? (
        <table className="table table--dense recs-table" data-testid="rec-list">
          <thead>
            <tr>
              <th>
                <span className="visually-hidden">{t('dispatch.recs.pick')}</span>
              </th>
              <th>{t('dispatch.board.callSign')}</th>
              <th className="num">{t('dispatch.recs.eta')}</th>
              <th>{t('dispatch.recs.covers')}</th>
            </tr>
          </thead>
          <tbody>
            {recs.ranked.map((r, i) => {
              const inCover = recs.coverage.some((c) => c.unitId === r.unitId);
              const id = `rec-${r.unitId}`;
              return (
                <tr
                  key={r.unitId}
                  data-testid="rec-row"
                  data-callsign={r.callSign}
                  data-rank={i + 1}
                  className={inCover ? 'is-cover' : undefined}
                >
                  <td>
                    <input
                      id={id}
                      type="checkbox"
                      checked={checked.has(r.unitId)}
                      onChange={(e) => toggle(r.unitId, e.target.checked)}
                      data-testid="rec-check"
                    />
                  </td>
                  <td>
                    <label htmlFor={id} className="rec-unit">
                      <strong className="mono">{r.callSign}</strong>
                      <span className="muted small">
                        {t(`dispatch.unitType.${r.type}`)} · {agencies.get(r.agencyId)?.code ?? ''}
                      </span>
                    </label>
                  </td>
                  <td className="num">
                    <strong className="mono">{t('dispatch.recs.minutes', { n: etaMinutes(r.etaSeconds) })}</strong>
                    <span className="muted small mono rec-dist">{formatDistance(r.distanceM, loc)}</span>
                  </td>
                  <td>
                    {inCover ? <span className="badge badge--ok">{t('dispatch.recs.cover')}</span> : null}
                    {r.responsible ? (
                      <span className="badge badge--info" title={t('dispatch.recs.responsibleHelp')}>
                        {t('dispatch.recs.responsible')}
                      </span>
                    ) : null}
                    {r.covers.map((c) => (
                      <span key={c} className="chip">
                        {t(`dispatch.capability.${c}`)}
                      </span>
                    ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {error ? (
        <p className="field-error" role="alert" data-testid="rec-error">
          {error}
        </p>
      ) : null}
      <button
        type="button"
        className="btn btn--primary"
        onClick={() => void assign()}
        disabled={busy || !checked.size}
        data-testid="rec-assign"
      >
        {busy ? t('dispatch.recs.assigning') : t('dispatch.recs.assign', { n: checked.size })}
      </button>
    </section>
  );
}
