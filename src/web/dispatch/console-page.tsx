import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Incident, Unit } from '../api.js';
import { useSession } from '../app-context.js';
import { navigate, useLocation } from '../router.js';
import { Alert } from '../ui/alert.js';
import { AlertsList, IncidentsTable, UnitsTable } from './board-lists.js';
import { ConnectionBadge } from './connection-badge.js';
import { DispatchMap } from './dispatch-map.js';
import { IncidentDetailPanel, permissionsFor } from './incident-detail.js';
import { IntakePanel, type IntakeHandle } from './intake-panel.js';
import { useLiveBoard } from './live.js';
import { useAgencies } from './lookups.js';
import { ShortcutsHelp } from './shortcuts-help.js';
import './dispatch.css';

type Tab = 'incidents' | 'units' | 'alerts';

/** Is the keyboard event typed into a field (where single-key shortcuts must not fire)? */
const typing = (e: KeyboardEvent) => {
  const el = e.target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
};
const inDialog = () => !!document.querySelector('dialog[open]');

/**
 * The 911 / dispatch console (/despacho): call intake, the live board (incidents,
 * units, alerts) over the event stream, the map, and the incident panel. Keyboard
 * first: see the shortcuts help (F1 or ?).
 */
export default function ConsolePage() {
  const { t } = useTranslation();
  const session = useSession();
  const roles = session.user.roles;
  const perms = useMemo(() => permissionsFor(roles), [roles]);
  const canIntake = perms.write;
  const { search } = useLocation();
  const selectedId = search.get('incidente');
  const board = useLiveBoard(t('common.unexpectedError'));
  const agencies = useAgencies();
  const intakeRef = useRef<IntakeHandle>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const [tab, setTab] = useState<Tab>('incidents');
  const [picked, setPicked] = useState<{ lat: number; lon: number; seq: number } | null>(null);
  const [intakePoint, setIntakePoint] = useState<{ lat: number; lon: number } | null>(null);
  const [focus, setFocus] = useState<{ lat: number; lon: number; zoom?: number; seq: number } | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const seq = useRef(0);
  /** A board shortcut asked for the keyboard focus in the list once it is drawn. */
  const focusList = useRef(false);
  const [focusTick, setFocusTick] = useState(0);

  const incidents = useMemo(() => [...board.incidents.values()], [board.incidents]);
  const units = useMemo(() => [...board.units.values()], [board.units]);
  const alerts = useMemo(() => [...board.alerts.values()], [board.alerts]);

  const select = useCallback((id: string | null) => {
    const q = new URLSearchParams(window.location.search);
    if (id) q.set('incidente', id);
    else q.delete('incidente');
    const s = q.toString();
    navigate(`/despacho${s ? `?${s}` : ''}`, { replace: true });
  }, []);

  const flyTo = useCallback((lat: number, lon: number, zoom?: number) => setFocus({ lat, lon, zoom, seq: ++seq.current }), []);

  const openIncident = useCallback(
    (id: string) => {
      select(id);
      const i = board.seen.get(id);
      if (i) flyTo(i.location.lat, i.location.lon, 13);
    },
    [select, board.seen, flyTo],
  );

  const onChanged = useCallback((i: Incident) => board.apply({ type: 'incident', incident: i }), [board]);

  useEffect(() => {
    document.title = `${t('dispatch.title')} · OpenC5`;
  }, [t]);

  // Keyboard shortcuts (listed in the help overlay).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'F1' || (e.key === '?' && !typing(e) && !inDialog())) {
        e.preventDefault();
        setHelpOpen(true);
        return;
      }
      if (inDialog()) return;
      if (e.key === 'F2' && canIntake) {
        e.preventDefault();
        intakeRef.current?.start();
      } else if (e.key === 'F3' && canIntake) {
        e.preventDefault();
        intakeRef.current?.focusType();
      } else if (e.key === 'F4' && canIntake) {
        e.preventDefault();
        intakeRef.current?.focusLocation();
      } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && canIntake) {
        const el = e.target as HTMLElement | null;
        if (el?.closest('.detail')) return;
        e.preventDefault();
        intakeRef.current?.submit();
      } else if (e.altKey && !e.ctrlKey && (e.code === 'KeyI' || e.code === 'KeyU' || e.code === 'KeyA')) {
        e.preventDefault();
        setTab(e.code === 'KeyI' ? 'incidents' : e.code === 'KeyU' ? 'units' : 'alerts');
        focusList.current = true;
        setFocusTick((n) => n + 1);
      } else if (e.key === 'Escape' && !typing(e) && selectedId) {
        select(null);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canIntake, select, selectedId]);

  useEffect(() => {
    if (!focusList.current) return;
    focusList.current = false;
    listRef.current?.querySelector<HTMLElement>('input, tbody tr[tabindex], button')?.focus();
  }, [tab, focusTick]);

  const focusUnit = (u: Unit) => {
    if (u.position) flyTo(u.position.lat, u.position.lon, 15);
  };

  const classes = ['console', canIntake ? '' : 'console--no-intake', selectedId ? '' : 'console--no-detail'].filter(Boolean).join(' ');
  return (
    <div className={classes} data-testid="console">
      <div className="console-bar">
        <h1 className="console-title">{t('dispatch.title')}</h1>
        <span className="console-centre" title={session.agency.name}>
          {session.agency.code}
        </span>
        <span className="console-counts" aria-live="polite">
          {t('dispatch.board.counts', {
            incidents: incidents.length,
            available: units.filter((u) => u.status === 'available').length,
            units: units.length,
          })}
        </span>
        <ConnectionBadge state={board.connection} />
        <button type="button" className="btn btn--small btn--ghost" onClick={() => setHelpOpen(true)} data-testid="shortcuts-open">
          {t('dispatch.shortcuts.open')} <kbd>F1</kbd>
        </button>
      </div>

      {canIntake ? (
        <div className="console-intake">
          <IntakePanel
            ref={intakeRef}
            picked={picked}
            onLocation={setIntakePoint}
            onFocus={flyTo}
            onCreated={(i) => {
              board.apply({ type: 'incident', incident: i });
              select(i.id);
            }}
            onOpenIncident={openIncident}
          />
        </div>
      ) : null}

      <div className="console-map">
        <DispatchMap
          incidents={incidents}
          units={units}
          selectedId={selectedId}
          onSelectIncident={openIncident}
          pick={intakePoint}
          onPick={canIntake ? (lat, lon) => setPicked({ lat, lon, seq: ++seq.current }) : undefined}
          focus={focus}
          stateCode={session.agency.level === 'federal' ? null : session.agency.stateCode}
        />
      </div>

      <section className="console-board" aria-label={t('dispatch.board.title')}>
        <div className="board-tabs" role="tablist" aria-label={t('dispatch.board.title')}>
          {(['incidents', 'units', 'alerts'] as const).map((k) => {
            const n = k === 'incidents' ? incidents.length : k === 'units' ? units.length : alerts.length;
            return (
              <button
                key={k}
                type="button"
                role="tab"
                id={`board-tab-${k}`}
                aria-selected={tab === k}
                aria-controls="board-panel"
                className={`board-tab${k === 'alerts' && n ? ' board-tab--hot' : ''}`}
                onClick={() => setTab(k)}
                data-testid={`board-tab-${k}`}
              >
                {t(`dispatch.board.tab.${k}`)} <span className="board-tab-count">{n}</span>
              </button>
            );
          })}
          <span className="board-tab-hint muted">{t('dispatch.board.tabHint')}</span>
        </div>
        <div className="board-panel" id="board-panel" role="tabpanel" aria-labelledby={`board-tab-${tab}`} ref={listRef}>
          {board.error ? (
            <Alert kind="error">
              {board.error}{' '}
              <button type="button" className="btn btn--link" onClick={board.reload}>
                {t('common.retry')}
              </button>
            </Alert>
          ) : !board.loaded ? (
            <p className="muted board-empty">{t('common.loading')}</p>
          ) : tab === 'incidents' ? (
            <IncidentsTable incidents={incidents} selectedId={selectedId} onSelect={openIncident} />
          ) : tab === 'units' ? (
            <UnitsTable units={units} agencies={agencies} incidents={board.seen} onFocusUnit={focusUnit} onSelectIncident={openIncident} />
          ) : (
            <AlertsList alerts={alerts} units={board.units} canAck={roles.includes('supervisor')} onSelectIncident={openIncident} />
          )}
        </div>
      </section>

      {selectedId ? (
        <div className="console-detail">
          <IncidentDetailPanel
            key={selectedId}
            id={selectedId}
            live={board.seen.get(selectedId)}
            units={board.units}
            agencies={agencies}
            perms={perms}
            onClose={() => select(null)}
            onChanged={onChanged}
            onFocus={(lat, lon) => flyTo(lat, lon, 16)}
          />
        </div>
      ) : null}

      <ShortcutsHelp open={helpOpen} onClose={() => setHelpOpen(false)} intake={canIntake} />
    </div>
  );
}
