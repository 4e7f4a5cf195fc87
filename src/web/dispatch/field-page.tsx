import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  UNIT_STATUSES,
  acknowledgeAssignment,
  addIncidentNote,
  canChangeUnit,
  getIncident,
  getUnits,
  reportUnitPosition,
  setUnitStatus,
  type IncidentDetail,
  type Unit,
  type UnitStatus,
} from '../api.js';
import { useSession } from '../app-context.js';
import { currentLanguage, locale } from '../i18n.js';
import { IncidentStatusBadge, PriorityBadge, UnitStatusBadge } from './badges.js';
import { ConnectionBadge } from './connection-badge.js';
import { formatElapsed, formatTime, useNow } from './format.js';
import { useEventStream, type LiveEvent } from './live.js';
import { usePlace, useTypeName } from './lookups.js';
import { IphLink } from '../records/iph-link.js';
import './dispatch.css';

// The map (MapLibre) is only downloaded when the phone gives no position.
const PositionPicker = lazy(() => import('./position-picker.js'));
const UNIT_KEY = 'oc5_field_unit';

/** The order of the big status buttons. */
const STATUS_ORDER: readonly UnitStatus[] = ['en_route', 'on_scene', 'returning', 'available', 'out_of_service'];

function readStoredUnit(): string | null {
  try {
    return localStorage.getItem(UNIT_KEY);
  } catch {
    return null;
  }
}

type Pos = { status: 'idle' } | { status: 'locating' } | { status: 'map' } | { status: 'sending' } | { status: 'sent'; at: string };

function Notes({ detail }: { detail: IncidentDetail }) {
  const { t } = useTranslation();
  const loc = locale(currentLanguage());
  const notes = detail.timeline.filter((e) => e.kind === 'note' && e.text);
  if (!notes.length) return null;
  return (
    <section className="fv-card" aria-labelledby="field-notes-title">
      <h2 id="field-notes-title" className="fv-label">
        {t('field.notes')}
      </h2>
      <ul className="fv-notes" data-testid="field-notes">
        {[...notes].reverse().map((n) => (
          <li key={n.id}>
            <span className="mono">{formatTime(n.at, loc)}</span> <span className="muted">{n.authorName}</span>
            <p>{n.text}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Assignment({ detail, unit }: { detail: IncidentDetail; unit: Unit }) {
  const { t, i18n } = useTranslation();
  const roles = useSession().user.roles;
  const place = usePlace(detail.location.lat, detail.location.lon);
  const typeName = useTypeName(detail.typeCode, detail.typeName, i18n.language === 'en');
  const others = detail.units.filter((u) => u.id !== unit.id);
  return (
    <section
      className="fv-card fv-assignment"
      aria-labelledby="field-assignment-title"
      data-testid="field-assignment"
      data-folio={detail.folio}
    >
      <h2 id="field-assignment-title" className="fv-folio" data-testid="field-folio">
        {detail.folio}
      </h2>
      <p className="fv-badges">
        <PriorityBadge priority={detail.priority} /> <IncidentStatusBadge status={detail.status} />
      </p>
      <p className="fv-type">{typeName}</p>
      <dl className="fv-kv">
        <dt>{t('dispatch.detail.address')}</dt>
        <dd data-testid="field-address">{detail.location.address || t('common.emptyValue')}</dd>
        <dt>{t('map.locate.colonia')}</dt>
        <dd data-testid="field-colonia">{place ? [place.colonia?.name, place.municipality.name].filter(Boolean).join(', ') : '…'}</dd>
        {detail.location.quadrantId ? (
          <>
            <dt>{t('map.locate.quadrant')}</dt>
            <dd>{detail.location.quadrantId}</dd>
          </>
        ) : null}
        {others.length ? (
          <>
            <dt>{t('field.otherUnits')}</dt>
            <dd>{others.map((u) => u.callSign).join(', ')}</dd>
          </>
        ) : null}
      </dl>
      <a className="fv-maplink" href={`geo:${detail.location.lat},${detail.location.lon}`} data-testid="field-navigate">
        {t('field.navigate')} · {detail.location.lat.toFixed(5)}, {detail.location.lon.toFixed(5)}
      </a>
      <IphLink incidentId={detail.id} roles={roles} className="fbtn" />
    </section>
  );
}

/**
 * The field view (/campo), phone-sized and high-contrast: the officer's unit, its
 * assignment, acknowledge, the status buttons the unit may take next, a note, and
 * the unit's position. Live through the same event stream as the console.
 */
export default function FieldPage() {
  const { t } = useTranslation();
  const session = useSession();
  const now = useNow();
  const [units, setUnits] = useState<Unit[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [unitId, setUnitId] = useState<string | null>(readStoredUnit);
  const [detail, setDetail] = useState<IncidentDetail | null>(null);
  const [detailError, setDetailError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [noteDone, setNoteDone] = useState(false);
  const [pos, setPos] = useState<Pos>({ status: 'idle' });
  const [detailTick, setDetailTick] = useState(0);

  const loadUnits = useCallback(() => {
    getUnits()
      .then((r) => {
        setUnits(r.units);
        setLoadError(null);
      })
      .catch((err: unknown) => setLoadError(err instanceof ApiError ? err.message : t('common.unexpectedError')));
  }, [t]);

  // Officers see the units they crew; a dispatcher on a phone picks one.
  const mine = useMemo(() => (units ?? []).filter((u) => u.crew.includes(session.user.id)), [units, session.user.id]);
  const choices = mine.length ? mine : (units ?? []);
  const unit = choices.find((u) => u.id === unitId) ?? (choices.length === 1 || mine.length ? choices[0] : undefined);
  const incidentId = unit?.incidentId ?? null;

  const onEvent = (e: LiveEvent) => {
    if (e.kind === 'unit') {
      const u = e.payload as Unit;
      setUnits((list) =>
        list ? (list.some((x) => x.id === u.id) ? list.map((x) => (x.id === u.id && x.statusAt <= u.statusAt ? u : x)) : list) : list,
      );
    } else if (e.kind === 'incident') {
      const i = e.payload as { id: string };
      if (i.id === incidentId) setDetailTick((n) => n + 1);
    }
  };
  const connection = useEventStream('now', onEvent, () => {
    loadUnits();
    setDetailTick((n) => n + 1);
  });

  useEffect(() => {
    document.title = `${t('field.title')} · OpenC5`;
  }, [t]);

  useEffect(() => {
    if (!incidentId) {
      setDetail(null);
      return;
    }
    const ctrl = new AbortController();
    getIncident(incidentId, ctrl.signal)
      .then((d) => {
        setDetail(d);
        setDetailError(null);
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setDetailError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
      });
    return () => ctrl.abort();
  }, [incidentId, detailTick, t]);

  const chooseUnit = (id: string) => {
    setUnitId(id);
    try {
      localStorage.setItem(UNIT_KEY, id);
    } catch {
      /* remembered for this page only */
    }
  };

  const run = async (key: string, fn: () => Promise<void>) => {
    setBusy(key);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
    } finally {
      setBusy(null);
    }
  };

  const updateUnit = (u: Unit) => setUnits((list) => list?.map((x) => (x.id === u.id ? u : x)) ?? list);

  const sendPosition = (lat: number, lon: number) =>
    run('position', async () => {
      if (!unit) return;
      setPos({ status: 'sending' });
      try {
        const u = await reportUnitPosition(unit.id, lat, lon);
        updateUnit(u);
        setPos({ status: 'sent', at: u.position?.at ?? new Date().toISOString() });
      } catch (err) {
        setPos({ status: 'idle' });
        throw err;
      }
    });

  const reportPosition = () => {
    if (!('geolocation' in navigator)) return setPos({ status: 'map' });
    setPos({ status: 'locating' });
    navigator.geolocation.getCurrentPosition(
      (p) => void sendPosition(Number(p.coords.latitude.toFixed(6)), Number(p.coords.longitude.toFixed(6))),
      () => setPos({ status: 'map' }),
      { enableHighAccuracy: true, timeout: 10_000, maximumAge: 30_000 },
    );
  };

  if (loadError && !units) {
    return (
      <div className="fv-view" data-testid="field-view">
        <p className="fv-error" role="alert">
          {loadError}
        </p>
        <button type="button" className="fbtn" onClick={loadUnits}>
          {t('common.retry')}
        </button>
      </div>
    );
  }
  if (!units) {
    return (
      <div className="fv-view" data-testid="field-view">
        <p className="muted">{t('common.loading')}</p>
      </div>
    );
  }

  const assignment = detail && unit ? detail.assignments.find((a) => a.unitId === unit.id && !a.clearedAt) : undefined;
  const next = unit ? STATUS_ORDER.filter((s) => UNIT_STATUSES.includes(s) && canChangeUnit(unit.status, s)) : [];

  return (
    <div className="fv-view" data-testid="field-view">
      <div className="fv-top">
        <h1 className="fv-title">{t('field.title')}</h1>
        <ConnectionBadge state={connection} />
      </div>

      {choices.length > 1 || (!unit && choices.length) ? (
        <div className="fv-card">
          <label htmlFor="field-unit" className="fv-label">
            {t('field.chooseUnit')}
          </label>
          <select
            id="field-unit"
            className="fv-select"
            value={unit?.id ?? ''}
            onChange={(e) => chooseUnit(e.target.value)}
            data-testid="field-unit-select"
          >
            {!unit ? <option value="">{t('common.selectPlaceholder')}</option> : null}
            {choices.map((u) => (
              <option key={u.id} value={u.id}>
                {u.callSign} · {t(`dispatch.unitStatus.${u.status}`)}
              </option>
            ))}
          </select>
        </div>
      ) : null}

      {!choices.length ? (
        <p className="fv-card fv-empty" data-testid="field-no-unit">
          {t('field.noUnit')}
        </p>
      ) : null}

      {unit ? (
        <>
          <section className="fv-card fv-unit" aria-labelledby="field-unit-title" data-testid="field-unit" data-callsign={unit.callSign}>
            <h2 id="field-unit-title" className="fv-callsign">
              {unit.callSign}
            </h2>
            <p className="fv-unit-status" data-testid="field-unit-status" data-status={unit.status}>
              <UnitStatusBadge status={unit.status} /> <span className="mono">{formatElapsed(unit.statusAt, now)}</span>
            </p>
          </section>

          {incidentId ? (
            detail && detail.id === incidentId ? (
              <Assignment detail={detail} unit={unit} />
            ) : detailError ? (
              <p className="fv-error" role="alert">
                {detailError}
              </p>
            ) : (
              <p className="muted">{t('common.loading')}</p>
            )
          ) : (
            <p className="fv-card fv-empty" data-testid="field-no-assignment">
              {t('field.noAssignment')}
            </p>
          )}

          {error ? (
            <p className="fv-error" role="alert" data-testid="field-error">
              {error}
            </p>
          ) : null}

          <div className="fv-actions">
            {assignment && !assignment.acknowledgedAt ? (
              <button
                type="button"
                className="fbtn fbtn--ack"
                disabled={!!busy}
                onClick={() =>
                  void run('ack', async () => {
                    await acknowledgeAssignment(unit.id);
                    setDetailTick((n) => n + 1);
                  })
                }
                data-testid="field-ack"
              >
                {t('field.acknowledge')}
              </button>
            ) : assignment?.acknowledgedAt ? (
              <p className="fv-acked" data-testid="field-acked">
                ✓ {t('field.acknowledged', { time: formatTime(assignment.acknowledgedAt, locale(currentLanguage())) })}
              </p>
            ) : null}
            {next.map((s) => (
              <button
                key={s}
                type="button"
                className={`fbtn fbtn--status fbtn--${s}`}
                disabled={!!busy}
                onClick={() => void run(s, async () => updateUnit(await setUnitStatus(unit.id, s)))}
                data-testid={`field-status-${s}`}
              >
                {t(`field.status.${s}`)}
              </button>
            ))}
          </div>

          {detail && detail.id === incidentId ? <Notes detail={detail} /> : null}

          {incidentId ? (
            <section className="fv-card" aria-labelledby="field-note-title">
              <h2 id="field-note-title" className="fv-label">
                {t('dispatch.detail.addNote')}
              </h2>
              <textarea
                className="fv-textarea"
                rows={3}
                value={note}
                aria-labelledby="field-note-title"
                onChange={(e) => {
                  setNote(e.target.value);
                  setNoteDone(false);
                }}
                data-testid="field-note"
              />
              <button
                type="button"
                className="fbtn"
                disabled={!!busy || !note.trim()}
                onClick={() =>
                  void run('note', async () => {
                    await addIncidentNote(incidentId, note);
                    setNote('');
                    setNoteDone(true);
                    setDetailTick((n) => n + 1);
                  })
                }
                data-testid="field-note-add"
              >
                {t('dispatch.detail.addNoteButton')}
              </button>
              {noteDone ? (
                <p className="fv-ok" role="status">
                  {t('field.noteAdded')}
                </p>
              ) : null}
            </section>
          ) : null}

          <section className="fv-card" aria-labelledby="field-pos-title">
            <h2 id="field-pos-title" className="fv-label">
              {t('field.position')}
            </h2>
            {unit.position ? (
              <p className="muted">
                {t('field.lastPosition', { time: formatTime(unit.position.at, locale(currentLanguage())) })} ·{' '}
                {unit.position.lat.toFixed(5)}, {unit.position.lon.toFixed(5)}
              </p>
            ) : null}
            {pos.status === 'map' ? (
              <Suspense fallback={<p className="muted">{t('common.loading')}</p>}>
                <PositionPicker
                  start={unit.position ?? (detail ? { lat: detail.location.lat, lon: detail.location.lon } : null)}
                  onPick={(lat, lon) => void sendPosition(lat, lon)}
                />
              </Suspense>
            ) : (
              <button
                type="button"
                className="fbtn"
                disabled={!!busy || pos.status === 'locating' || pos.status === 'sending'}
                onClick={reportPosition}
                data-testid="field-position"
              >
                {pos.status === 'locating'
                  ? t('field.locating')
                  : pos.status === 'sending'
                    ? t('field.sending')
                    : t('field.reportPosition')}
              </button>
            )}
            {pos.status === 'sent' ? (
              <p className="fv-ok" role="status" data-testid="field-position-sent">
                {t('field.positionSent', { time: formatTime(pos.at, locale(currentLanguage())) })}
              </p>
            ) : null}
          </section>
        </>
      ) : null}
    </div>
  );
}
