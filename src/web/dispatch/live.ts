import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { ApiError, dispatchEventsUrl, getBoard, type DispatchAlert, type Incident, type Unit } from '../api.js';

export type Connection = 'connecting' | 'live' | 'reconnecting';
export const EVENT_KINDS = ['incident', 'unit', 'call', 'alert', 'alert_ack'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export type LiveEvent = { kind: EventKind; id: number; payload: unknown };

/**
 * The live event stream (`GET /api/dispatch/events`), from `startId` on. The browser
 * reconnects by itself and resends Last-Event-ID, so nothing is lost across a network
 * blip; if the stream is closed for good (the server refused it), it is opened again
 * a few seconds later from the last event seen.
 */
export function useEventStream(startId: number | 'now' | null, onEvent: (e: LiveEvent) => void, onOpen?: () => void): Connection {
  const [conn, setConn] = useState<Connection>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const opened = useRef(onOpen);
  opened.current = onOpen;

  useEffect(() => {
    if (startId === null) return;
    let last = startId === 'now' ? 0 : startId;
    let es: EventSource | null = null;
    let retry: number | null = null;
    let stopped = false;
    const open = () => {
      if (stopped) return;
      // 'now': from the current event on (the page reloads its data on open).
      const source = new EventSource(dispatchEventsUrl(last || (startId === 'now' ? undefined : last)));
      es = source;
      source.onopen = () => {
        setConn('live');
        opened.current?.();
      };
      source.onerror = () => {
        if (source.readyState === EventSource.CLOSED) {
          source.close();
          retry = window.setTimeout(open, 4000);
        }
        setConn('reconnecting');
      };
      for (const kind of EVENT_KINDS) {
        source.addEventListener(kind, (e: MessageEvent<string>) => {
          const id = Number(e.lastEventId) || 0;
          if (id && id <= last) return; // already applied (a replay overlapping a reconnect)
          if (id) last = id;
          let payload: unknown;
          try {
            payload = JSON.parse(e.data);
          } catch {
            return;
          }
          handler.current({ kind, id, payload });
        });
      }
    };
    setConn('connecting');
    open();
    return () => {
      stopped = true;
      es?.close();
      if (retry !== null) window.clearTimeout(retry);
    };
  }, [startId]);

  return conn;
}

export const isOpenIncident = (i: Incident) => i.status !== 'closed' && i.status !== 'cancelled';

type BoardState = {
  incidents: Map<string, Incident>;
  units: Map<string, Unit>;
  alerts: Map<string, DispatchAlert>;
  /** The latest version of every incident seen, closed ones included (for an open detail panel). */
  seen: Map<string, Incident>;
};

type Action =
  | { type: 'load'; incidents: Incident[]; units: Unit[]; alerts: DispatchAlert[] }
  | { type: 'incident'; incident: Incident }
  | { type: 'unit'; unit: Unit }
  | { type: 'alert'; alert: DispatchAlert }
  | { type: 'alert_ack'; id: string };

const empty = (): BoardState => ({ incidents: new Map(), units: new Map(), alerts: new Map(), seen: new Map() });

function reduce(s: BoardState, a: Action): BoardState {
  switch (a.type) {
    case 'load': {
      const incidents = new Map(a.incidents.map((i) => [i.id, i]));
      return {
        incidents,
        units: new Map(a.units.map((u) => [u.id, u])),
        alerts: new Map(
          a.alerts.map((x) => [x.id, { ...x, folio: x.folio ?? (x.incidentId ? incidents.get(x.incidentId)?.folio : undefined) }]),
        ),
        seen: new Map([...s.seen, ...incidents]),
      };
    }
    case 'incident': {
      const prev = s.seen.get(a.incident.id);
      // Events arrive in order, but an answer to our own request may come after a later event.
      if (prev && prev.updatedAt > a.incident.updatedAt) return s;
      const incidents = new Map(s.incidents);
      if (isOpenIncident(a.incident)) incidents.set(a.incident.id, a.incident);
      else incidents.delete(a.incident.id);
      const seen = new Map(s.seen).set(a.incident.id, a.incident);
      return { ...s, incidents, seen };
    }
    case 'unit': {
      const prev = s.units.get(a.unit.id);
      if (prev && prev.statusAt > a.unit.statusAt) return s;
      return { ...s, units: new Map(s.units).set(a.unit.id, a.unit) };
    }
    case 'alert':
      if (a.alert.acknowledgedAt) return s;
      return { ...s, alerts: new Map(s.alerts).set(a.alert.id, a.alert) };
    case 'alert_ack': {
      if (!s.alerts.has(a.id)) return s;
      const alerts = new Map(s.alerts);
      alerts.delete(a.id);
      return { ...s, alerts };
    }
  }
}

export type LiveBoard = BoardState & {
  connection: Connection;
  loaded: boolean;
  error: string | null;
  reload: () => void;
  /** Applies a record the API answered with, before its event arrives. */
  apply: (a: Action) => void;
  lastEventAt: number;
};

/** The board snapshot (`GET /api/dispatch/board`) kept current by the event stream. */
export function useLiveBoard(fallbackError: string, onEvent?: (e: LiveEvent) => void): LiveBoard {
  const [state, dispatch] = useReducer(reduce, undefined, empty);
  const [startId, setStartId] = useState<number | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [lastEventAt, setLastEventAt] = useState(0);
  const extra = useRef(onEvent);
  extra.current = onEvent;
  const fallback = useRef(fallbackError);
  fallback.current = fallbackError;

  useEffect(() => {
    let live = true;
    getBoard()
      .then((b) => {
        if (!live) return;
        dispatch({ type: 'load', incidents: b.incidents, units: b.units, alerts: b.alerts });
        setStartId(b.lastEventId);
        setLoaded(true);
        setError(null);
      })
      .catch((err: unknown) => {
        if (live) setError(err instanceof ApiError ? err.message : fallback.current);
      });
    return () => {
      live = false;
    };
  }, [tick]);

  const connection = useEventStream(startId, (e) => {
    setLastEventAt(Date.now());
    if (e.kind === 'incident') dispatch({ type: 'incident', incident: e.payload as Incident });
    else if (e.kind === 'unit') dispatch({ type: 'unit', unit: e.payload as Unit });
    else if (e.kind === 'alert') dispatch({ type: 'alert', alert: e.payload as DispatchAlert });
    else if (e.kind === 'alert_ack') dispatch({ type: 'alert_ack', id: (e.payload as { id: string }).id });
    extra.current?.(e);
  });

  const reload = useCallback(() => {
    setStartId(null);
    setTick((n) => n + 1);
  }, []);

  return { ...state, connection, loaded, error, reload, apply: dispatch, lastEventAt };
}
