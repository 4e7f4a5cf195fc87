import { forwardRef, useEffect, useImperativeHandle, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  PRIORITIES,
  closeCall,
  createCall,
  createIncident,
  findDuplicates,
  linkCall,
  locatePoint,
  type Call,
  type CatalogueEntry,
  type Incident,
  type LocateResult,
  type Priority,
  type SearchHit,
} from '../api.js';
import { currentLanguage, locale } from '../i18n.js';
import { SearchBox } from '../map/search-box.js';
import { Alert } from '../ui/alert.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import { errorFor, formLevel, toFormError, type FormError } from '../ui/errors.js';
import { controlAria } from '../ui/field.js';
import { PriorityBadge } from './badges.js';
import { formatDistance, formatElapsed, newKey, useNow } from './format.js';
import { ImproperDialog } from './improper-dialog.js';
import { TypePicker } from './type-picker.js';

/** The fields the API may name in an error, and where each message is shown. */
const FIELDS = ['ani', 'callerName', 'typeCode', 'priority', 'priorityReason', 'location', 'address', 'note'] as const;

export type IntakeHandle = {
  /** F2: a new call (asks before discarding what was typed). */
  start: () => void;
  /** Ctrl+Enter: create the incident. */
  submit: () => void;
  focusType: () => void;
  focusLocation: () => void;
};

type Props = {
  /** A point clicked on the map while taking the call. */
  picked: { lat: number; lon: number; seq: number } | null;
  /** The location being typed, for the map marker. */
  onLocation: (p: { lat: number; lon: number } | null) => void;
  /** Fly the map to a place found in the gazetteer. */
  onFocus: (lat: number, lon: number, zoom: number) => void;
  onCreated: (incident: Incident) => void;
  onOpenIncident: (id: string) => void;
};

type Place = { status: 'idle' } | { status: 'loading' } | { status: 'ok'; result: LocateResult } | { status: 'error'; message: string };
type Done = { kind: 'created' | 'linked' | 'improper' | 'abandoned'; folio?: string; incidentId?: string };

const parseCoord = (s: string) => {
  const v = Number(s.trim().replace(',', '.'));
  return s.trim() !== '' && Number.isFinite(v) ? v : null;
};

/**
 * Call intake: caller, incident type, priority, location (map click, gazetteer or
 * coordinates), address and first note; then the incident, a link to a duplicate,
 * or the call closed as improper or abandoned. Creation calls carry an
 * Idempotency-Key made once per form and reused on retry.
 */
export const IntakePanel = forwardRef<IntakeHandle, Props>(function IntakePanel(
  { picked, onLocation, onFocus, onCreated, onOpenIncident },
  ref,
) {
  const { t, i18n } = useTranslation();
  const loc = locale(currentLanguage());
  const now = useNow();
  const [call, setCall] = useState<Call | null>(null);
  const [ani, setAni] = useState('');
  const [callerName, setCallerName] = useState('');
  const [type, setType] = useState<CatalogueEntry | null>(null);
  const [priority, setPriority] = useState<Priority | ''>('');
  const [priorityReason, setPriorityReason] = useState('');
  const [lat, setLat] = useState('');
  const [lon, setLon] = useState('');
  const [address, setAddress] = useState('');
  const [note, setNote] = useState('');
  const [place, setPlace] = useState<Place>({ status: 'idle' });
  const [duplicates, setDuplicates] = useState<(Incident & { distanceM: number })[] | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState<null | 'call' | 'create' | 'link' | 'close'>(null);
  const [done, setDone] = useState<Done | null>(null);
  const [improperOpen, setImproperOpen] = useState(false);
  const [abandonOpen, setAbandonOpen] = useState(false);
  const [discardOpen, setDiscardOpen] = useState(false);
  const callKey = useRef<string | null>(null);
  const incidentKey = useRef<string | null>(null);
  const aniRef = useRef<HTMLInputElement>(null);
  const typeRef = useRef<HTMLInputElement>(null);
  const placeRef = useRef<HTMLDivElement>(null);
  const busyRef = useRef(false);
  const dupRef = useRef<HTMLDivElement>(null);
  /** Where the coordinates came from: typed ones make the map fly there once they resolve. */
  const sourceRef = useRef<'typed' | 'map' | 'search'>('typed');

  const latN = parseCoord(lat);
  const lonN = parseCoord(lon);
  const point = latN !== null && lonN !== null && Math.abs(latN) <= 90 && Math.abs(lonN) <= 180 ? { lat: latN, lon: lonN } : null;
  const pointKey = point ? `${point.lat},${point.lon}` : '';
  const priorityChanged = !!type && !!priority && priority !== type.priority;
  const dirty = !!(ani || callerName || type || lat || lon || address || note || call);

  // A map click fills the coordinates.
  useEffect(() => {
    if (!picked) return;
    sourceRef.current = 'map';
    setLat(String(picked.lat));
    setLon(String(picked.lon));
    setDuplicates(null);
    setError((e) => (e?.field === 'location' ? null : e));
  }, [picked]);

  // The place at the location (state, municipality, colonia, quadrant) and the map marker.
  useEffect(() => {
    onLocation(point);
    if (!point) {
      setPlace({ status: 'idle' });
      return;
    }
    const ctrl = new AbortController();
    setPlace({ status: 'loading' });
    const timer = window.setTimeout(() => {
      locatePoint(point.lat, point.lon, ctrl.signal)
        .then((result) => {
          setPlace({ status: 'ok', result });
          if (sourceRef.current === 'typed') onFocus(point.lat, point.lon, 15);
        })
        .catch((err: unknown) => {
          if (!ctrl.signal.aborted)
            setPlace({ status: 'error', message: err instanceof ApiError ? err.message : t('common.unexpectedError') });
        });
    }, 200);
    return () => {
      ctrl.abort();
      window.clearTimeout(timer);
    };
    // `point` is rebuilt on every render; its key says when it changed.
  }, [pointKey]);

  // Possible duplicates: bring them into view, the first "Link" button focused.
  useEffect(() => {
    if (!duplicates?.length) return;
    dupRef.current?.scrollIntoView({ block: 'nearest' });
    dupRef.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [duplicates]);

  const reset = () => {
    setCall(null);
    setAni('');
    setCallerName('');
    setType(null);
    setPriority('');
    setPriorityReason('');
    setLat('');
    setLon('');
    setAddress('');
    setNote('');
    setDuplicates(null);
    setError(null);
    callKey.current = null;
    incidentKey.current = null;
  };

  const startNew = () => {
    reset();
    setDone(null);
    setDiscardOpen(false);
    window.setTimeout(() => aniRef.current?.focus(), 0);
  };

  const fail = (err: unknown) => {
    const fe = toFormError(err, t('common.unexpectedError'));
    setError(fe.field === 'callerLocation' ? { ...fe, field: 'location' } : fe);
  };

  /** The call, registered once (POST /api/dispatch/calls with its Idempotency-Key). */
  const ensureCall = async (): Promise<Call | null> => {
    if (call) return call;
    if (!ani.trim()) {
      setError({ message: t('dispatch.intake.aniRequired'), field: 'ani' });
      aniRef.current?.focus();
      return null;
    }
    callKey.current ??= newKey();
    const c = await createCall({ ani: ani.trim(), callerName: callerName.trim() || null }, callKey.current);
    setCall(c);
    return c;
  };

  const run = async (kind: NonNullable<typeof busy>, fn: () => Promise<void>) => {
    if (busyRef.current) return;
    busyRef.current = true;
    setBusy(kind);
    setError(null);
    try {
      await fn();
    } catch (err) {
      fail(err);
    } finally {
      busyRef.current = false;
      setBusy(null);
    }
  };

  const registerCall = () =>
    run('call', async () => {
      if (await ensureCall()) typeRef.current?.focus();
    });

  const create = (skipDuplicates: boolean) =>
    run('create', async () => {
      setDone(null);
      if (!type) {
        setError({ message: t('dispatch.intake.typeRequired'), field: 'typeCode' });
        typeRef.current?.focus();
        return;
      }
      if (!point) {
        setError({ message: t('dispatch.intake.locationRequired'), field: 'location' });
        return;
      }
      if (priorityChanged && !priorityReason.trim()) {
        setError({ message: t('dispatch.intake.priorityReasonRequired'), field: 'priorityReason' });
        return;
      }
      const c = ani.trim() || call ? await ensureCall() : null;
      if ((ani.trim() || call) && !c) return;
      if (!skipDuplicates) {
        const { incidents } = await findDuplicates(point.lat, point.lon, type.code);
        if (incidents.length) {
          setDuplicates(incidents);
          return;
        }
      }
      incidentKey.current ??= newKey();
      const incident = await createIncident(
        {
          callId: c?.id,
          typeCode: type.code,
          priority: priorityChanged ? (priority as Priority) : undefined,
          priorityReason: priorityChanged ? priorityReason.trim() : undefined,
          location: { lat: point.lat, lon: point.lon, address: address.trim() || null },
          note: note.trim() || undefined,
        },
        incidentKey.current,
      );
      reset();
      setDone({ kind: 'created', folio: incident.folio, incidentId: incident.id });
      onCreated(incident);
    });

  const link = (incident: Incident) =>
    run('link', async () => {
      const c = await ensureCall();
      if (!c) return;
      const linked = await linkCall(c.id, incident.id);
      reset();
      setDone({ kind: 'linked', folio: linked.folio, incidentId: linked.id });
    });

  const closeAs = (outcome: 'improper' | 'abandoned', improperCode?: string) =>
    run('close', async () => {
      const c = await ensureCall();
      if (!c) {
        setImproperOpen(false);
        setAbandonOpen(false);
        return;
      }
      await closeCall(c.id, { outcome, improperCode });
      setImproperOpen(false);
      setAbandonOpen(false);
      reset();
      setDone({ kind: outcome });
    });

  useImperativeHandle(ref, () => ({
    start: () => (dirty ? setDiscardOpen(true) : startNew()),
    submit: () => void create(false),
    focusType: () => typeRef.current?.focus(),
    focusLocation: () => placeRef.current?.querySelector('input')?.focus(),
  }));

  const onCoordKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' && !e.ctrlKey && point) onFocus(point.lat, point.lon, 15);
  };
  /** "19.4326, -99.1332" pasted in the latitude box fills both. */
  const setLatText = (v: string) => {
    sourceRef.current = 'typed';
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(v);
    if (m) {
      setLat(m[1]);
      setLon(m[2]);
    } else setLat(v);
    setDuplicates(null);
  };

  const onPlace = (hit: SearchHit) => {
    const [hlon, hlat] = hit.center;
    sourceRef.current = 'search';
    setLat(hlat.toFixed(6));
    setLon(hlon.toFixed(6));
    setDuplicates(null);
    onFocus(hlat, hlon, hit.kind === 'state' ? 8 : hit.kind === 'municipality' ? 12 : 15);
  };

  const general = formLevel(error, FIELDS);
  const err = (f: (typeof FIELDS)[number]) => errorFor(error, f);
  const placeText =
    place.status === 'ok'
      ? [
          place.result.state.name,
          place.result.municipality.name,
          place.result.colonia?.name,
          place.result.quadrant ? `${t('map.locate.quadrant')} ${place.result.quadrant.id}` : null,
        ]
          .filter(Boolean)
          .join(' › ')
      : null;

  return (
    <section className="intake" aria-labelledby="intake-title" data-testid="intake">
      <div className="panel-head">
        <h2 id="intake-title">{t('dispatch.intake.title')}</h2>
        <button
          type="button"
          className="btn btn--small"
          onClick={() => (dirty ? setDiscardOpen(true) : startNew())}
          data-testid="intake-new"
        >
          {t('dispatch.intake.newCall')} <kbd>F2</kbd>
        </button>
      </div>

      {done ? (
        <Alert kind="success" testId="intake-done" onClose={() => setDone(null)} closeLabel={t('common.close')}>
          {done.kind === 'created' ? (
            <>
              {t('dispatch.intake.created')}{' '}
              <button
                type="button"
                className="btn btn--link folio"
                onClick={() => onOpenIncident(done.incidentId!)}
                data-testid="intake-folio"
              >
                {done.folio}
              </button>
            </>
          ) : done.kind === 'linked' ? (
            <>
              {t('dispatch.intake.linked')}{' '}
              <button
                type="button"
                className="btn btn--link folio"
                onClick={() => onOpenIncident(done.incidentId!)}
                data-testid="intake-folio"
              >
                {done.folio}
              </button>
            </>
          ) : (
            t(done.kind === 'improper' ? 'dispatch.intake.closedImproper' : 'dispatch.intake.closedAbandoned')
          )}
        </Alert>
      ) : null}
      {general ? (
        <Alert kind="error" testId="intake-error">
          {general}
        </Alert>
      ) : null}

      <div className="intake-call" data-testid="intake-call-status" data-state={call ? 'registered' : 'none'}>
        {call ? (
          <span className="call-live">
            <span className="call-dot" aria-hidden="true" />
            {t('dispatch.intake.callRegistered')} <span className="mono">{formatElapsed(call.receivedAt, now)}</span>
          </span>
        ) : (
          <span className="muted">{t('dispatch.intake.noCall')}</span>
        )}
      </div>

      <div className="intake-grid">
        <div className={`field${err('ani') ? ' field--error' : ''}`}>
          <label htmlFor="intake-ani">{t('dispatch.intake.ani')}</label>
          <input
            id="intake-ani"
            ref={aniRef}
            type="tel"
            inputMode="tel"
            autoComplete="off"
            value={ani}
            readOnly={!!call}
            onChange={(e) => setAni(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.ctrlKey && !call) void registerCall();
            }}
            {...controlAria('intake-ani', err('ani'))}
            data-testid="intake-ani"
          />
          {err('ani') ? (
            <p className="field-error" id="intake-ani-error" role="alert">
              {err('ani')}
            </p>
          ) : null}
        </div>
        <div className={`field${err('callerName') ? ' field--error' : ''}`}>
          <label htmlFor="intake-caller">{t('dispatch.intake.callerName')}</label>
          <input
            id="intake-caller"
            autoComplete="off"
            value={callerName}
            readOnly={!!call}
            onChange={(e) => setCallerName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.ctrlKey && !call) void registerCall();
            }}
            {...controlAria('intake-caller', err('callerName'))}
            data-testid="intake-caller"
          />
          {err('callerName') ? (
            <p className="field-error" id="intake-caller-error" role="alert">
              {err('callerName')}
            </p>
          ) : null}
        </div>
        {!call ? (
          <button
            type="button"
            className="btn btn--small intake-register"
            onClick={() => void registerCall()}
            disabled={!!busy}
            data-testid="intake-register"
          >
            {busy === 'call' ? t('dispatch.intake.registering') : t('dispatch.intake.register')}
          </button>
        ) : null}
      </div>

      <div className={`field${err('typeCode') ? ' field--error' : ''}`}>
        <label htmlFor="intake-type">
          {t('dispatch.intake.type')} <kbd>F3</kbd>
        </label>
        <TypePicker
          id="intake-type"
          ref={typeRef}
          value={type}
          onChange={(e) => {
            setType(e);
            setPriority(e ? e.priority : '');
            setPriorityReason('');
            setDuplicates(null);
          }}
          invalid={!!err('typeCode')}
          describedBy={err('typeCode') ? 'intake-type-error' : undefined}
          testId="intake-type"
        />
        {type ? (
          <p className="type-chosen" data-testid="intake-type-chosen" data-code={type.code}>
            <code className="type-code">{type.code}</code> {i18n.language === 'en' ? type.nameEn : type.name}{' '}
            <PriorityBadge priority={type.priority} />
          </p>
        ) : null}
        {err('typeCode') ? (
          <p className="field-error" id="intake-type-error" role="alert">
            {err('typeCode')}
          </p>
        ) : null}
      </div>

      <div className="intake-grid intake-grid--prio">
        <div className={`field${err('priority') ? ' field--error' : ''}`}>
          <label htmlFor="intake-priority">{t('dispatch.intake.priority')}</label>
          <select
            id="intake-priority"
            value={priority}
            disabled={!type}
            onChange={(e) => setPriority(e.target.value as Priority)}
            className={priority ? `select-prio select-prio--${priority}` : undefined}
            data-testid="intake-priority"
          >
            {!type ? <option value="">{t('dispatch.intake.priorityFromType')}</option> : null}
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(`dispatch.priority.${p}`)}
                {type && p === type.priority ? ` (${t('dispatch.intake.default')})` : ''}
              </option>
            ))}
          </select>
        </div>
        {priorityChanged ? (
          <div className={`field${err('priorityReason') ? ' field--error' : ''}`}>
            <label htmlFor="intake-priority-reason">{t('dispatch.intake.priorityReason')}</label>
            <input
              id="intake-priority-reason"
              value={priorityReason}
              onChange={(e) => setPriorityReason(e.target.value)}
              {...controlAria('intake-priority-reason', err('priorityReason'))}
              data-testid="intake-priority-reason"
            />
            {err('priorityReason') ? (
              <p className="field-error" id="intake-priority-reason-error" role="alert">
                {err('priorityReason')}
              </p>
            ) : null}
          </div>
        ) : null}
      </div>

      <fieldset
        className={`field intake-location${err('location') ? ' field--error' : ''}`}
        aria-describedby={err('location') ? 'intake-location-error' : undefined}
      >
        <legend>
          {t('dispatch.intake.location')} <kbd>F4</kbd>
        </legend>
        <div ref={placeRef}>
          <SearchBox
            onSelect={onPlace}
            className="intake-place-search"
            testId="intake-place-search"
            placeholder={t('dispatch.intake.placeSearch')}
            clearOnSelect
          />
        </div>
        <div className="intake-coords">
          <label>
            <span>{t('dispatch.intake.lat')}</span>
            <input
              inputMode="decimal"
              autoComplete="off"
              value={lat}
              onChange={(e) => setLatText(e.target.value)}
              onKeyDown={onCoordKey}
              aria-invalid={err('location') ? true : undefined}
              data-testid="intake-lat"
            />
          </label>
          <label>
            <span>{t('dispatch.intake.lon')}</span>
            <input
              inputMode="decimal"
              autoComplete="off"
              value={lon}
              onChange={(e) => {
                sourceRef.current = 'typed';
                setLon(e.target.value);
                setDuplicates(null);
              }}
              onKeyDown={onCoordKey}
              aria-invalid={err('location') ? true : undefined}
              data-testid="intake-lon"
            />
          </label>
        </div>
        <p className="field-help">{t('dispatch.intake.locationHelp')}</p>
        <p className="intake-place" data-testid="intake-place" data-status={place.status} aria-live="polite">
          {place.status === 'loading' ? t('map.locate.loading') : place.status === 'error' ? place.message : placeText}
        </p>
        {err('location') ? (
          <p className="field-error" id="intake-location-error" role="alert" data-testid="intake-location-error">
            {err('location')}
          </p>
        ) : null}
      </fieldset>

      <div className={`field${err('address') ? ' field--error' : ''}`}>
        <label htmlFor="intake-address">{t('dispatch.intake.address')}</label>
        <input
          id="intake-address"
          autoComplete="off"
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          {...controlAria('intake-address', err('address'))}
          data-testid="intake-address"
        />
        {err('address') ? (
          <p className="field-error" id="intake-address-error" role="alert">
            {err('address')}
          </p>
        ) : null}
      </div>
      <div className={`field${err('note') ? ' field--error' : ''}`}>
        <label htmlFor="intake-note">{t('dispatch.intake.note')}</label>
        <textarea
          id="intake-note"
          rows={3}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          {...controlAria('intake-note', err('note'))}
          data-testid="intake-note"
        />
        {err('note') ? (
          <p className="field-error" id="intake-note-error" role="alert">
            {err('note')}
          </p>
        ) : null}
      </div>

      {duplicates?.length ? (
        <div
          ref={dupRef}
          className="duplicates"
          role="region"
          aria-label={t('dispatch.intake.duplicatesTitle')}
          data-testid="intake-duplicates"
        >
          <p className="duplicates-title">{t('dispatch.intake.duplicatesTitle')}</p>
          <ul>
            {duplicates.map((d) => (
              <li key={d.id}>
                <span className="folio mono">{d.folio}</span> <PriorityBadge priority={d.priority} />{' '}
                <span data-testid="intake-duplicate-type">{i18n.language === 'en' ? d.typeNameEn : d.typeName}</span>{' '}
                <span className="muted">· {formatDistance(d.distanceM, loc)}</span>
                <button
                  type="button"
                  className="btn btn--small btn--primary"
                  onClick={() => void link(d)}
                  disabled={!!busy}
                  data-testid="intake-link"
                >
                  {t('dispatch.intake.linkTo', { folio: d.folio })}
                </button>
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="btn btn--small"
            onClick={() => void create(true)}
            disabled={!!busy}
            data-testid="intake-create-anyway"
          >
            {t('dispatch.intake.createAnyway')}
          </button>
        </div>
      ) : null}

      <div className="intake-actions">
        <button
          type="button"
          className="btn btn--primary btn--block"
          onClick={() => void create(false)}
          disabled={!!busy}
          data-testid="intake-create"
        >
          {busy === 'create' ? t('dispatch.intake.creating') : t('dispatch.intake.create')} <kbd>Ctrl+Enter</kbd>
        </button>
        <div className="intake-actions-row">
          <button
            type="button"
            className="btn btn--small"
            onClick={() => setImproperOpen(true)}
            disabled={!!busy}
            data-testid="intake-improper"
          >
            {t('dispatch.intake.improper')}
          </button>
          <button
            type="button"
            className="btn btn--small"
            onClick={() => setAbandonOpen(true)}
            disabled={!!busy}
            data-testid="intake-abandoned"
          >
            {t('dispatch.intake.abandoned')}
          </button>
        </div>
      </div>

      <ImproperDialog
        open={improperOpen}
        busy={busy === 'close'}
        error={improperOpen ? error?.message : undefined}
        onCancel={() => {
          setImproperOpen(false);
          setError(null);
        }}
        onConfirm={(code) => void closeAs('improper', code)}
      />
      <ConfirmDialog
        open={abandonOpen}
        title={t('dispatch.intake.abandonedTitle')}
        confirmLabel={t('dispatch.intake.abandoned')}
        busy={busy === 'close'}
        error={abandonOpen ? error?.message : undefined}
        onConfirm={() => void closeAs('abandoned')}
        onCancel={() => {
          setAbandonOpen(false);
          setError(null);
        }}
        testId="abandon-dialog"
      >
        <p>{t('dispatch.intake.abandonedConfirm')}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={discardOpen}
        title={t('dispatch.intake.discardTitle')}
        confirmLabel={t('dispatch.intake.discard')}
        danger
        onConfirm={startNew}
        onCancel={() => setDiscardOpen(false)}
        testId="discard-dialog"
      >
        <p>{call ? t('dispatch.intake.discardWithCall') : t('dispatch.intake.discardConfirm')}</p>
      </ConfirmDialog>
    </section>
  );
});
