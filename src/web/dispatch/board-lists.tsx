import { useMemo, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  UNIT_STATUSES,
  acknowledgeAlert,
  type Agency,
  type DispatchAlert,
  type Incident,
  type Unit,
  type UnitStatus,
} from '../api.js';
import { IncidentStatusBadge, PriorityBadge, UnitStatusBadge } from './badges.js';
import { formatElapsed, useNow } from './format.js';
import { usePlace, useTypeName } from './lookups.js';

const PRIORITY_RANK = { ALTA: 0, MEDIA: 1, BAJA: 2 } as const;

/** Up/Down move between the rows of a list, Enter/Space open the focused one. */
function rowKeys(e: KeyboardEvent<HTMLElement>, open: () => void) {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    open();
  } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    const row = e.currentTarget;
    const next = (e.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling) as HTMLElement | null;
    next?.focus();
  }
}

/** Colonia · municipality of a point, in one line (the whole text in the tooltip). */
function PlaceCell({ lat, lon }: { lat: number; lon: number }) {
  const place = usePlace(lat, lon);
  if (!place)
    return (
      <td className="place-cell">
        <span className="muted">…</span>
      </td>
    );
  return (
    <td className="place-cell" title={[place.colonia?.name, place.municipality.name].filter(Boolean).join(' · ')}>
      {place.colonia ? <span className="place-colonia">{place.colonia.name}</span> : null}
      <span className="place-municipality">{place.municipality.name}</span>
    </td>
  );
}

function IncidentRow({
  incident,
  selected,
  onSelect,
  now,
}: {
  incident: Incident;
  selected: boolean;
  onSelect: (id: string) => void;
  now: number;
}) {
  const { i18n } = useTranslation();
  const typeName = useTypeName(incident.typeCode, incident.typeName, i18n.language === 'en');
  return (
    <tr
      tabIndex={0}
      className={`${selected ? 'is-selected ' : ''}prio-row prio-row--${incident.priority}`}
      aria-selected={selected}
      onClick={() => onSelect(incident.id)}
      onKeyDown={(e) => rowKeys(e, () => onSelect(incident.id))}
      data-testid="incident-row"
      data-id={incident.id}
      data-folio={incident.folio}
      data-status={incident.status}
    >
      <td className="mono nowrap">{incident.folio}</td>
      <td>
        <PriorityBadge priority={incident.priority} />
      </td>
      <td className="truncate" title={typeName}>
        {typeName}
      </td>
      <td>
        <IncidentStatusBadge status={incident.status} />
      </td>
      <td className="mono num">{formatElapsed(incident.createdAt, now)}</td>
      <PlaceCell lat={incident.location.lat} lon={incident.location.lon} />
      <td>
        {incident.units.map((u) => (
          <span key={u.id} className={`unit-chip ustatus--${u.status}`} title={u.status}>
            {u.callSign}
          </span>
        ))}
      </td>
    </tr>
  );
}

export function IncidentsTable({
  incidents,
  selectedId,
  onSelect,
}: {
  incidents: Incident[];
  selectedId: string | null;
  onSelect: (id: string) => void;
}) {
  const { t } = useTranslation();
  const now = useNow();
  const sorted = useMemo(
    () => [...incidents].sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.createdAt.localeCompare(b.createdAt)),
    [incidents],
  );
  if (!sorted.length)
    return (
      <p className="board-empty" data-testid="incidents-empty">
        {t('dispatch.board.noIncidents')}
      </p>
    );
  return (
    <table className="table table--dense table--interactive board-table" data-testid="incident-list">
      <thead>
        <tr>
          <th>{t('dispatch.board.folio')}</th>
          <th>{t('dispatch.board.priority')}</th>
          <th>{t('dispatch.board.type')}</th>
          <th>{t('dispatch.board.status')}</th>
          <th>{t('dispatch.board.age')}</th>
          <th>{t('dispatch.board.place')}</th>
          <th>{t('dispatch.board.units')}</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((i) => (
          <IncidentRow key={i.id} incident={i} selected={i.id === selectedId} onSelect={onSelect} now={now} />
        ))}
      </tbody>
    </table>
  );
}

type UnitsProps = {
  units: Unit[];
  agencies: Map<string, Agency>;
  incidents: Map<string, Incident>;
  onFocusUnit: (u: Unit) => void;
  onSelectIncident: (id: string) => void;
};

export function UnitsTable({ units, agencies, incidents, onFocusUnit, onSelectIncident }: UnitsProps) {
  const { t } = useTranslation();
  const now = useNow();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<UnitStatus | ''>('');
  const shown = useMemo(() => {
    const term = q.trim().toLowerCase();
    return units
      .filter((u) => (!status || u.status === status) && (!term || u.callSign.toLowerCase().includes(term)))
      .sort((a, b) => a.callSign.localeCompare(b.callSign));
  }, [units, q, status]);
  const counts = useMemo(() => {
    const c: Partial<Record<UnitStatus, number>> = {};
    for (const u of units) c[u.status] = (c[u.status] ?? 0) + 1;
    return c;
  }, [units]);
  return (
    <div className="units-pane">
      <div className="board-filter">
        <input
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder={t('dispatch.board.unitFilter')}
          aria-label={t('dispatch.board.unitFilter')}
          data-testid="unit-filter"
        />
        <select value={status} onChange={(e) => setStatus(e.target.value as UnitStatus | '')} aria-label={t('dispatch.board.status')}>
          <option value="">{t('dispatch.board.allStatuses', { n: units.length })}</option>
          {UNIT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`dispatch.unitStatus.${s}`)} ({counts[s] ?? 0})
            </option>
          ))}
        </select>
      </div>
      <table className="table table--dense table--interactive board-table" data-testid="unit-list">
        <thead>
          <tr>
            <th>{t('dispatch.board.callSign')}</th>
            <th>{t('dispatch.board.unitType')}</th>
            <th>{t('dispatch.board.status')}</th>
            <th>{t('dispatch.board.inStatus')}</th>
            <th>{t('dispatch.board.agency')}</th>
            <th>{t('dispatch.board.incident')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((u) => {
            const inc = u.incidentId ? incidents.get(u.incidentId) : undefined;
            const agency = agencies.get(u.agencyId);
            return (
              <tr
                key={u.id}
                tabIndex={0}
                onClick={() => onFocusUnit(u)}
                onKeyDown={(e) => rowKeys(e, () => onFocusUnit(u))}
                data-testid="unit-row"
                data-callsign={u.callSign}
                data-status={u.status}
              >
                <td className="mono nowrap">
                  <strong>{u.callSign}</strong>
                </td>
                <td className="nowrap">{t(`dispatch.unitType.${u.type}`)}</td>
                <td>
                  <UnitStatusBadge status={u.status} />
                </td>
                <td className="mono num">{formatElapsed(u.statusAt, now)}</td>
                <td className="nowrap" title={agency?.name}>
                  {agency?.code ?? '…'}
                </td>
                <td className="nowrap">
                  {u.incidentId ? (
                    <button
                      type="button"
                      className="btn btn--link btn--small mono"
                      onClick={(e) => {
                        e.stopPropagation();
                        onSelectIncident(u.incidentId!);
                      }}
                    >
                      {inc?.folio ?? t('dispatch.board.assigned')}
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

type AlertsProps = { alerts: DispatchAlert[]; units: Map<string, Unit>; canAck: boolean; onSelectIncident: (id: string) => void };

export function AlertsList({ alerts, units, canAck, onSelectIncident }: AlertsProps) {
  const { t } = useTranslation();
  const now = useNow();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sorted = useMemo(() => [...alerts].sort((a, b) => a.raisedAt.localeCompare(b.raisedAt)), [alerts]);
  const ack = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      await acknowledgeAlert(id);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
    } finally {
      setBusy(null);
    }
  };
  if (!sorted.length) return <p className="board-empty">{t('dispatch.board.noAlerts')}</p>;
  return (
    <div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <ul className="alert-list" data-testid="alert-list">
        {sorted.map((a) => {
          const callSign = a.callSign ?? (a.unitId ? units.get(a.unitId)?.callSign : undefined);
          return (
            <li key={a.id} className={`alert-item alert-item--${a.kind}`} data-testid="alert-row" data-kind={a.kind}>
              <span className="alert-kind">{t(`dispatch.alertKind.${a.kind}`, { defaultValue: a.kind })}</span>
              {a.incidentId ? (
                <button type="button" className="btn btn--link btn--small mono" onClick={() => onSelectIncident(a.incidentId!)}>
                  {a.folio ?? t('dispatch.board.incident')}
                </button>
              ) : null}
              {callSign ? <span className="mono">{callSign}</span> : null}
              <span className="mono muted">{formatElapsed(a.raisedAt, now)}</span>
              {canAck ? (
                <button
                  type="button"
                  className="btn btn--small"
                  onClick={() => void ack(a.id)}
                  disabled={busy === a.id}
                  data-testid="alert-ack"
                >
                  {t('dispatch.board.acknowledge')}
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
