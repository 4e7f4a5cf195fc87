import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { CLOSURE_CODES, CLOSURE_CODE_LIST, isClosureCode } from '../../dispatch/closure-codes.js';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  PRIORITIES,
  addIncidentNote,
  changeIncidentPriority,
  changeIncidentStatus,
  getIncident,
  type Agency,
  type Incident,
  type IncidentDetail,
  type Priority,
  type Role,
  type TimelineEntry,
  type Unit,
} from '../api.js';
import { currentLanguage, locale } from '../i18n.js';
import { toFormError, type FormError } from '../ui/errors.js';
import { IncidentStatusBadge, PriorityBadge, UnitStatusBadge } from './badges.js';
import { NearbyCameras } from './cameras.js';
import { FormDialog } from './form-dialog.js';
import { formatDateTime, formatElapsed, formatTime, useNow } from './format.js';
import { usePlace, useTypeName } from './lookups.js';
import { RecommendedUnits } from './recommendations.js';
import { useSession } from '../app-context.js';
import { IphLink } from '../records/iph-link.js';

/** The closed list of closure codes and their labels: the server's own module, so both always agree. */
const closureName = (code: unknown) =>
  typeof code === 'string' && isClosureCode(code) ? CLOSURE_CODES[code][currentLanguage()] : String(code);

export type Permissions = { write: boolean; assign: boolean; note: boolean; camera: boolean };

export function permissionsFor(roles: readonly Role[]): Permissions {
  const any = (...r: Role[]) => r.some((x) => roles.includes(x));
  return {
    write: any('call_taker', 'dispatcher', 'supervisor'),
    assign: any('dispatcher', 'supervisor'),
    note: any('call_taker', 'dispatcher', 'supervisor', 'camera_operator', 'field_officer'),
    camera: any('camera_operator', 'dispatcher', 'supervisor', 'call_taker'),
  };
}

type Props = {
  id: string;
  /** The latest version from the event stream (a change there reloads the timeline). */
  live: Incident | undefined;
  units: Map<string, Unit>;
  agencies: Map<string, Agency>;
  perms: Permissions;
  onClose: () => void;
  onChanged: (incident: Incident) => void;
  onFocus: (lat: number, lon: number) => void;
};

type Dialog = null | 'priority' | 'close' | 'cancel' | 'reopen';

function TimelineText({ e }: { e: TimelineEntry }) {
  const { t } = useTranslation();
  const d = (e.data ?? {}) as Record<string, string | boolean | undefined>;
  const prio = (p: unknown) => (typeof p === 'string' ? t(`dispatch.priority.${p}`, { defaultValue: p }) : '');
  const ist = (s: unknown) => (typeof s === 'string' ? t(`dispatch.incidentStatus.${s}`, { defaultValue: s }) : '');
  let head: ReactNode;
  switch (e.kind) {
    case 'created':
      head = t('dispatch.timeline.created', { code: d.typeCode ?? '', priority: prio(d.priority) });
      break;
    case 'note':
      head = null;
      break;
    case 'status':
      head = d.closureCode
        ? t('dispatch.timeline.statusClosed', {
            from: ist(d.from),
            to: ist(d.to),
            code: closureName(d.closureCode),
          })
        : t('dispatch.timeline.status', { from: ist(d.from), to: ist(d.to) });
      break;
    case 'priority':
      head = t('dispatch.timeline.priority', { from: prio(d.from), to: prio(d.to) });
      break;
    case 'location':
      head = t('dispatch.timeline.location');
      break;
    case 'assignment':
      head = t('dispatch.timeline.assignment', { unit: d.callSign ?? '' });
      break;
    case 'unit_status':
      head =
        d.status === 'acknowledged'
          ? t('dispatch.timeline.acknowledged', { unit: d.callSign ?? '' })
          : t('dispatch.timeline.unitStatus', {
              unit: d.callSign ?? '',
              status: t(`dispatch.unitStatus.${String(d.status)}`, { defaultValue: String(d.status) }),
            });
      break;
    case 'call_linked':
      head = d.duplicate
        ? t('dispatch.timeline.callDuplicate', { ani: d.ani ?? '' })
        : t('dispatch.timeline.callLinked', { ani: d.ani ?? '' });
      break;
    case 'camera_opened':
      head = t('dispatch.timeline.cameraOpened', { code: d.code ?? '' });
      break;
    case 'transfer':
      head = t('dispatch.timeline.transfer');
      break;
    default:
      head = e.kind;
  }
  return (
    <>
      {head ? <span className="tl-head">{head}</span> : null}
      {e.text ? <span className={e.kind === 'note' ? 'tl-note' : 'tl-reason'}>{e.text}</span> : null}
    </>
  );
}

/** The side panel of one incident: data, units, recommended units, timeline, calls, cameras and the actions. */
export function IncidentDetailPanel({ id, live, units, agencies, perms, onClose, onChanged, onFocus }: Props) {
  const roles = useSession().user.roles;
  const { t, i18n } = useTranslation();
  const loc = locale(currentLanguage());
  const now = useNow();
  const [detail, setDetail] = useState<IncidentDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | null>(null);
  const [noteBusy, setNoteBusy] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [dialogError, setDialogError] = useState<FormError | null>(null);
  const [dialogBusy, setDialogBusy] = useState(false);
  const [newPriority, setNewPriority] = useState<Priority>('MEDIA');
  const [reason, setReason] = useState('');
  const [closure, setClosure] = useState<string>(CLOSURE_CODE_LIST[0]);
  const [tick, setTick] = useState(0);
  const [showCameras, setShowCameras] = useState(false);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  const version = live?.updatedAt ?? '';

  useEffect(() => {
    const ctrl = new AbortController();
    getIncident(id, ctrl.signal)
      .then((d) => {
        setDetail(d);
        setLoadError(null);
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setLoadError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
      });
    return () => ctrl.abort();
  }, [id, version, tick, t]);

  useEffect(() => {
    setDetail(null);
    setShowCameras(false);
    setNote('');
    setNoteError(null);
  }, [id]);

  // The stream's version is newer than the last detail read while that reload is on its way.
  const d = detail && detail.id === id ? detail : null;
  const inc: Incident | null = live && d && live.updatedAt > d.updatedAt ? live : (d ?? live ?? null);
  const place = usePlace(inc?.location.lat, inc?.location.lon);
  const typeName = useTypeName(inc?.typeCode ?? '', inc?.typeName ?? '', i18n.language === 'en');

  if (!inc) {
    return (
      <aside className="detail" data-testid="incident-detail" data-status="loading">
        <div className="panel-head">
          <h2>{t('dispatch.detail.title')}</h2>
          <button type="button" className="icon-btn" onClick={onClose} aria-label={t('common.close')}>
            ×
          </button>
        </div>
        {loadError ? (
          <p className="field-error" role="alert">
            {loadError}
          </p>
        ) : (
          <p className="muted">{t('common.loading')}</p>
        )}
      </aside>
    );
  }

  const open = inc.status !== 'closed' && inc.status !== 'cancelled';
  const canClose = ['dispatched', 'en_route', 'on_scene'].includes(inc.status);

  const openDialog = (which: Dialog) => {
    setDialogError(null);
    setReason('');
    if (which === 'priority') setNewPriority(PRIORITIES.find((p) => p !== inc.priority) ?? 'MEDIA');
    if (which === 'close') setClosure(CLOSURE_CODE_LIST[0]);
    setDialog(which);
  };

  const act = async (fn: () => Promise<Incident>) => {
    setDialogBusy(true);
    setDialogError(null);
    try {
      const updated = await fn();
      onChanged(updated);
      setDialog(null);
      reload();
    } catch (err) {
      setDialogError(toFormError(err, t('common.unexpectedError')));
    } finally {
      setDialogBusy(false);
    }
  };

  const confirmDialog = () => {
    if (dialog === 'priority') {
      if (!reason.trim()) return setDialogError({ message: t('dispatch.detail.reasonRequired'), field: 'reason' });
      void act(() => changeIncidentPriority(inc.id, newPriority, reason.trim()));
    } else if (dialog === 'close') {
      void act(() => changeIncidentStatus(inc.id, { status: 'closed', closureCode: closure, reason: reason.trim() || undefined }));
    } else if (dialog === 'cancel' || dialog === 'reopen') {
      if (!reason.trim()) return setDialogError({ message: t('dispatch.detail.reasonRequired'), field: 'reason' });
      void act(() => changeIncidentStatus(inc.id, { status: dialog === 'cancel' ? 'cancelled' : 'pending', reason: reason.trim() }));
    }
  };

  const addNote = async () => {
    if (!note.trim()) return setNoteError(t('dispatch.detail.noteRequired'));
    setNoteBusy(true);
    setNoteError(null);
    try {
      onChanged(await addIncidentNote(inc.id, note));
      setNote('');
      reload();
    } catch (err) {
      setNoteError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
    } finally {
      setNoteBusy(false);
    }
  };

  const reasonField = (label: string, required: boolean) => (
    <div className={`field${dialogError?.field === 'reason' ? ' field--error' : ''}`}>
      <label htmlFor="detail-reason">
        {label}
        {required ? null : <span className="muted"> ({t('dispatch.detail.optional')})</span>}
      </label>
      <textarea id="detail-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="detail-reason" />
    </div>
  );
  const dialogGeneral = dialogError?.field === 'reason' ? undefined : dialogError?.message;
  const reasonError = dialogError?.field === 'reason' ? dialogError.message : undefined;

  const assignments = d?.assignments ?? [];
  return (
    <aside className="detail" aria-labelledby="detail-title" data-testid="incident-detail" data-id={inc.id} data-status={inc.status}>
      <div className="panel-head detail-head">
        <div>
          <h2 id="detail-title" className="mono" data-testid="detail-folio">
            {inc.folio}
          </h2>
          <div className="detail-badges">
            <PriorityBadge priority={inc.priority} />
            <span data-testid="detail-status" data-status={inc.status}>
              <IncidentStatusBadge status={inc.status} />
            </span>
            {inc.closureCode ? <span className="chip">{closureName(inc.closureCode)}</span> : null}
            <span className="mono muted" title={formatDateTime(inc.createdAt, loc)}>
              {formatElapsed(inc.createdAt, now)}
            </span>
          </div>
        </div>
        <button type="button" className="icon-btn" onClick={onClose} aria-label={t('common.close')} data-testid="detail-close">
          ×
        </button>
      </div>

      <div className="detail-scroll">
        <p className="detail-type">
          <code className="type-code">{inc.typeCode}</code> {typeName}
        </p>
        <dl className="kv kv--compact detail-kv">
          <dt>{t('map.locate.state')}</dt>
          <dd>{place?.state.name ?? inc.location.stateCode}</dd>
          <dt>{t('map.locate.municipality')}</dt>
          <dd data-testid="detail-municipality">{place?.municipality.name ?? inc.location.municipalityCode}</dd>
          <dt>{t('map.locate.colonia')}</dt>
          <dd data-testid="detail-colonia">{place?.colonia?.name ?? inc.location.coloniaId ?? t('common.emptyValue')}</dd>
          <dt>{t('map.locate.quadrant')}</dt>
          <dd>
            {inc.location.quadrantId ?? t('common.emptyValue')}
            {place?.quadrant ? (
              <span className="muted">
                {' '}
                · {t('map.locate.sector')} {place.quadrant.sector}
              </span>
            ) : null}
          </dd>
          <dt>{t('dispatch.detail.address')}</dt>
          <dd>{inc.location.address || t('common.emptyValue')}</dd>
          <dt>{t('map.locate.coordinates')}</dt>
          <dd>
            <button type="button" className="btn btn--link btn--small mono" onClick={() => onFocus(inc.location.lat, inc.location.lon)}>
              {inc.location.lat.toFixed(5)}, {inc.location.lon.toFixed(5)}
            </button>
          </dd>
        </dl>

        <section className="detail-block" aria-labelledby="detail-units-title">
          <h3 id="detail-units-title">{t('dispatch.detail.units')}</h3>
          {inc.units.length ? (
            <ul className="assigned-list" data-testid="detail-units">
              {inc.units.map((u) => {
                const a = assignments.find((x) => x.unitId === u.id && !x.clearedAt);
                const full = units.get(u.id);
                return (
                  <li key={u.id} data-testid="detail-unit" data-callsign={u.callSign} data-status={full?.status ?? u.status}>
                    <strong className="mono">{u.callSign}</strong> <UnitStatusBadge status={full?.status ?? u.status} />
                    {a ? (
                      <span className={a.acknowledgedAt ? 'ack ack--yes' : 'ack ack--no'}>
                        {a.acknowledgedAt
                          ? t('dispatch.detail.acknowledgedAt', { time: formatTime(a.acknowledgedAt, loc) })
                          : t('dispatch.detail.notAcknowledged')}
                      </span>
                    ) : null}
                    <span className="muted small">{agencies.get(u.agencyId)?.code ?? ''}</span>
                  </li>
                );
              })}
            </ul>
          ) : (
            <p className="muted">{t('dispatch.detail.noUnits')}</p>
          )}
        </section>

        <div className="detail-actions" role="group" aria-label={t('common.actions')}>
          {perms.write && open ? (
            <button type="button" className="btn btn--small" onClick={() => openDialog('priority')} data-testid="detail-priority">
              {t('dispatch.detail.changePriority')}
            </button>
          ) : null}
          {perms.write && canClose ? (
            <button
              type="button"
              className="btn btn--small btn--primary"
              onClick={() => openDialog('close')}
              data-testid="detail-close-incident"
            >
              {t('dispatch.detail.closeIncident')}
            </button>
          ) : null}
          {perms.write && open ? (
            <button type="button" className="btn btn--small btn--danger" onClick={() => openDialog('cancel')} data-testid="detail-cancel">
              {t('dispatch.detail.cancelIncident')}
            </button>
          ) : null}
          {perms.write && !open ? (
            <button type="button" className="btn btn--small" onClick={() => openDialog('reopen')} data-testid="detail-reopen">
              {t('dispatch.detail.reopen')}
            </button>
          ) : null}
          <IphLink incidentId={inc.id} roles={roles} />
          {perms.camera ? (
            <button
              type="button"
              className="btn btn--small"
              aria-expanded={showCameras}
              onClick={() => setShowCameras((v) => !v)}
              data-testid="detail-cameras"
            >
              {t('dispatch.cameras.title')}
            </button>
          ) : null}
        </div>

        {perms.assign && open ? <RecommendedUnits key={inc.id} incidentId={inc.id} agencies={agencies} onAssigned={onChanged} /> : null}
        {perms.camera && showCameras ? <NearbyCameras incidentId={inc.id} onOpened={reload} /> : null}

        {perms.note ? (
          <section className="detail-block" aria-labelledby="detail-note-title">
            <h3 id="detail-note-title">{t('dispatch.detail.addNote')}</h3>
            <textarea
              rows={2}
              value={note}
              aria-labelledby="detail-note-title"
              aria-invalid={noteError ? true : undefined}
              onChange={(e) => setNote(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  e.stopPropagation();
                  void addNote();
                }
              }}
              data-testid="detail-note"
            />
            {noteError ? (
              <p className="field-error" role="alert">
                {noteError}
              </p>
            ) : null}
            <button
              type="button"
              className="btn btn--small"
              onClick={() => void addNote()}
              disabled={noteBusy}
              data-testid="detail-note-add"
            >
              {t('dispatch.detail.addNoteButton')}
            </button>
          </section>
        ) : null}

        <section className="detail-block" aria-labelledby="detail-tl-title">
          <h3 id="detail-tl-title">{t('dispatch.detail.timeline')}</h3>
          {d ? (
            <ol className="timeline" data-testid="timeline">
              {[...d.timeline].reverse().map((e) => (
                <li key={e.id} className={`tl tl--${e.kind}`} data-testid="timeline-entry" data-kind={e.kind}>
                  <span className="tl-time mono" title={formatDateTime(e.at, loc)}>
                    {formatTime(e.at, loc)}
                  </span>
                  <span className="tl-author">{e.authorName ?? t('dispatch.detail.system')}</span>
                  <span className="tl-body">
                    <TimelineText e={e} />
                  </span>
                </li>
              ))}
            </ol>
          ) : (
            <p className="muted">{t('common.loading')}</p>
          )}
        </section>

        {d?.calls.length ? (
          <section className="detail-block" aria-labelledby="detail-calls-title">
            <h3 id="detail-calls-title">{t('dispatch.detail.calls')}</h3>
            <ul className="call-list">
              {d.calls.map((c) => (
                <li key={c.id}>
                  <span className="mono">{c.ani}</span> {c.callerName ? <span>{c.callerName}</span> : null}{' '}
                  <span className="muted small">
                    {formatTime(c.receivedAt, loc)}
                    {c.outcome ? ` · ${t(`dispatch.callOutcome.${c.outcome}`)}` : ''}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </div>

      <FormDialog
        open={dialog === 'priority'}
        title={t('dispatch.detail.changePriority')}
        confirmLabel={t('dispatch.detail.changePriority')}
        busy={dialogBusy}
        error={dialogGeneral}
        onConfirm={confirmDialog}
        onCancel={() => setDialog(null)}
        testId="priority-dialog"
      >
        <div className="field">
          <label htmlFor="detail-new-priority">{t('dispatch.intake.priority')}</label>
          <select
            id="detail-new-priority"
            value={newPriority}
            onChange={(e) => setNewPriority(e.target.value as Priority)}
            data-testid="detail-new-priority"
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(`dispatch.priority.${p}`)}
              </option>
            ))}
          </select>
        </div>
        {reasonField(t('dispatch.detail.reason'), true)}
        {reasonError ? (
          <p className="field-error" role="alert">
            {reasonError}
          </p>
        ) : null}
      </FormDialog>

      <FormDialog
        open={dialog === 'close'}
        title={t('dispatch.detail.closeTitle', { folio: inc.folio })}
        confirmLabel={t('dispatch.detail.closeIncident')}
        busy={dialogBusy}
        error={dialogError?.message}
        onConfirm={confirmDialog}
        onCancel={() => setDialog(null)}
        testId="close-dialog"
      >
        <div className="field">
          <label htmlFor="detail-closure">{t('dispatch.detail.closureCode')}</label>
          <select id="detail-closure" value={closure} onChange={(e) => setClosure(e.target.value)} data-testid="detail-closure">
            {CLOSURE_CODE_LIST.map((c) => (
              <option key={c} value={c}>
                {closureName(c)}
              </option>
            ))}
          </select>
        </div>
        {reasonField(t('dispatch.detail.closureText'), false)}
      </FormDialog>

      <FormDialog
        open={dialog === 'cancel' || dialog === 'reopen'}
        title={
          dialog === 'reopen'
            ? t('dispatch.detail.reopenTitle', { folio: inc.folio })
            : t('dispatch.detail.cancelTitle', { folio: inc.folio })
        }
        confirmLabel={dialog === 'reopen' ? t('dispatch.detail.reopen') : t('dispatch.detail.cancelIncident')}
        danger={dialog === 'cancel'}
        busy={dialogBusy}
        error={dialogGeneral}
        onConfirm={confirmDialog}
        onCancel={() => setDialog(null)}
        testId="status-dialog"
      >
        {reasonField(t('dispatch.detail.reason'), true)}
        {reasonError ? (
          <p className="field-error" role="alert">
            {reasonError}
          </p>
        ) : null}
      </FormDialog>
    </aside>
  );
}
