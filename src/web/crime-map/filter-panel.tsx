import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { searchPlaces, type CatalogueNode, type SearchHit } from '../api.js';
import { ClassificationFilter } from './classification-filter.js';
import type { MapState } from './view-state.js';

export type FilterFields = Pick<MapState, 'classification' | 'from' | 'to' | 'hours' | 'weekdays' | 'area' | 'polygon'>;
export const filterFields = (s: MapState): FilterFields => ({
  classification: s.classification,
  from: s.from,
  to: s.to,
  hours: s.hours,
  weekdays: s.weekdays,
  area: s.area,
  polygon: s.polygon,
});

const AREA_KINDS = ['state', 'municipality', 'colonia', 'quadrant'] as const;
type AreaKind = (typeof AREA_KINDS)[number];

/** Names of areas chosen in this page load (the URL keeps only the code). */
const areaNames = new Map<string, string>();
export const rememberAreaName = (area: string, name: string) => areaNames.set(area, name);
export const areaName = (area: string) => areaNames.get(area);

type DrawProps = {
  /** Vertices placed so far while drawing, or null when not drawing. */
  drawing: [number, number][] | null;
  drawError: string | null;
  onStartDraw: () => void;
  /** Ends the drawing: the ring when it is a valid polygon, else null (the page says why in `drawError`). */
  onFinishDraw: () => [number, number][] | null;
  onCancelDraw: () => void;
  /** The map's current view as a polygon (the keyboard's way to set one), or null. */
  onUseView: () => [number, number][] | null;
};

type Props = DrawProps & {
  value: FilterFields;
  nodes: readonly CatalogueNode[];
  onApply: (f: FilterFields) => void;
  onReset: () => void;
};

/** The filters of the map: classification, dates, hours, weekdays, and the area (a jurisdiction or a drawn polygon). */
export function FilterPanel({
  value,
  nodes,
  onApply,
  onReset,
  drawing,
  drawError,
  onStartDraw,
  onFinishDraw,
  onCancelDraw,
  onUseView,
}: Props) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<FilterFields>(value);
  const [error, setError] = useState<string | null>(null);
  // The applied filters (URL) win over the draft whenever they change from outside (a link, the polygon tool, reset).
  const key = JSON.stringify(value);
  const lastKey = useRef(key);
  useEffect(() => {
    if (lastKey.current !== key) {
      lastKey.current = key;
      setDraft(JSON.parse(key) as FilterFields);
    }
  }, [key]);

  const set = (patch: Partial<FilterFields>) => setDraft((d) => ({ ...d, ...patch }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (draft.from && draft.to && draft.to < draft.from) {
      setError(t('crimeMap.filters.invertedDates'));
      return;
    }
    setError(null);
    onApply(draft);
  };
  const toggleIn = (list: number[], v: number) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v].sort((a, b) => a - b));

  return (
    <form className="cm-filters" onSubmit={submit} data-testid="cm-filters" aria-label={t('crimeMap.filters.title')}>
      <h2 className="cm-panel-title">{t('crimeMap.filters.title')}</h2>
      <ClassificationFilter nodes={nodes} selected={draft.classification} onChange={(classification) => set({ classification })} />

      <fieldset className="cm-fieldset">
        <legend>{t('crimeMap.filters.period')}</legend>
        <div className="cm-row">
          <label className="field">
            <span>{t('crimeMap.filters.from')}</span>
            <input
              type="date"
              value={draft.from}
              onChange={(e) => set({ from: e.target.value })}
              aria-invalid={!!error && draft.from !== '' && draft.to !== '' && draft.to < draft.from}
              data-testid="cm-from"
            />
          </label>
          <label className="field">
            <span>{t('crimeMap.filters.to')}</span>
            <input type="date" value={draft.to} onChange={(e) => set({ to: e.target.value })} data-testid="cm-to" />
          </label>
        </div>
      </fieldset>

      <fieldset className="cm-fieldset">
        <legend>{t('crimeMap.filters.hours')}</legend>
        <div className="cm-toggles cm-toggles--hours" role="group" aria-label={t('crimeMap.filters.hours')}>
          {Array.from({ length: 24 }, (_, h) => (
            <button
              key={h}
              type="button"
              className="cm-toggle"
              aria-pressed={draft.hours.includes(h)}
              aria-label={t('crimeMap.filters.hourLabel', { hour: h })}
              onClick={() => set({ hours: toggleIn(draft.hours, h) })}
              data-testid={`cm-hour-${h}`}
            >
              {h}
            </button>
          ))}
        </div>
        <p className="muted cm-small">
          {draft.hours.length ? t('crimeMap.filters.hoursChosen', { n: draft.hours.length }) : t('crimeMap.filters.allHours')}
        </p>
        <div className="cm-row">
          <button type="button" className="btn btn--small" onClick={() => set({ hours: [22, 23, 0, 1, 2, 3, 4, 5].sort((a, b) => a - b) })}>
            {t('crimeMap.filters.night')}
          </button>
          <button type="button" className="btn btn--small" onClick={() => set({ hours: [] })}>
            {t('crimeMap.filters.allHoursButton')}
          </button>
        </div>
      </fieldset>

      <fieldset className="cm-fieldset">
        <legend>{t('crimeMap.filters.weekdays')}</legend>
        <div className="cm-toggles" role="group" aria-label={t('crimeMap.filters.weekdays')}>
          {[1, 2, 3, 4, 5, 6, 7].map((d) => (
            <button
              key={d}
              type="button"
              className="cm-toggle cm-toggle--day"
              aria-pressed={draft.weekdays.includes(d)}
              aria-label={t(`crimeMap.weekday.${d}`)}
              title={t(`crimeMap.weekday.${d}`)}
              onClick={() => set({ weekdays: toggleIn(draft.weekdays, d) })}
              data-testid={`cm-weekday-${d}`}
            >
              {t(`crimeMap.weekdayShort.${d}`)}
            </button>
          ))}
        </div>
      </fieldset>

      <AreaFilter
        area={draft.area}
        polygon={draft.polygon}
        onArea={(area) => set({ area, polygon: null })}
        onClearPolygon={() => set({ polygon: null })}
        drawing={drawing}
        drawError={drawError}
        onStartDraw={onStartDraw}
        onFinishDraw={() => {
          // A finished polygon applies at once, with the rest of the draft.
          const ring = onFinishDraw();
          if (ring) onApply({ ...draft, area: '', polygon: ring });
          return ring;
        }}
        onCancelDraw={onCancelDraw}
        onUseView={() => {
          const ring = onUseView();
          if (ring) onApply({ ...draft, area: '', polygon: ring });
          return ring;
        }}
      />

      {/* The error sits by the button, in the sticky footer: the period may be scrolled out of sight. */}
      <div className="cm-filter-actions">
        {error ? (
          <p className="alert alert--error" role="alert" data-testid="cm-filter-error">
            {error}
          </p>
        ) : null}
        <div className="cm-row">
          <button type="submit" className="btn btn--primary" data-testid="cm-apply">
            {t('crimeMap.filters.apply')}
          </button>
          <button type="button" className="btn" onClick={onReset} data-testid="cm-reset">
            {t('crimeMap.filters.reset')}
          </button>
        </div>
      </div>
    </form>
  );
}

function AreaFilter({
  area,
  polygon,
  onArea,
  onClearPolygon,
  drawing,
  drawError,
  onStartDraw,
  onFinishDraw,
  onCancelDraw,
  onUseView,
}: DrawProps & { area: string; polygon: [number, number][] | null; onArea: (area: string) => void; onClearPolygon: () => void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<AreaKind>('municipality');
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const text = q.trim();
    if (text.length < 2) {
      setHits([]);
      return;
    }
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      setBusy(true);
      searchPlaces(text, 20, ctrl.signal)
        .then((r) => setHits(r.results.filter((h) => h.kind === kind).slice(0, 8)))
        .catch(() => undefined)
        .finally(() => setBusy(false));
    }, 250);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [q, kind]);
  const [areaKind, areaCode] = area ? area.split(':') : ['', ''];
  return (
    <fieldset className="cm-fieldset" data-testid="cm-area">
      <legend>{t('crimeMap.filters.area')}</legend>
      {polygon ? (
        <div className="cm-chosen" data-testid="cm-polygon-chosen">
          <span>{t('crimeMap.filters.polygonChosen', { n: polygon.length })}</span>
          <button type="button" className="btn btn--small" onClick={onClearPolygon} data-testid="cm-polygon-clear">
            {t('crimeMap.filters.clearPolygon')}
          </button>
        </div>
      ) : area ? (
        <div className="cm-chosen" data-testid="cm-area-chosen" data-area={area}>
          <span>
            {t(`crimeMap.areaKind.${areaKind}`)}: <strong>{areaName(area) ?? areaCode}</strong>
          </span>
          <button type="button" className="btn btn--small" onClick={() => onArea('')} data-testid="cm-area-clear">
            {t('common.clear')}
          </button>
        </div>
      ) : (
        <p className="muted cm-small">{t('crimeMap.filters.wholeJurisdiction')}</p>
      )}
      <div className="cm-row">
        <label className="field">
          <span>{t('crimeMap.filters.areaKind')}</span>
          <select value={kind} onChange={(e) => setKind(e.target.value as AreaKind)} data-testid="cm-area-kind">
            {AREA_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`crimeMap.areaKind.${k}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="field">
        <span>{t('crimeMap.filters.areaSearch')}</span>
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} aria-busy={busy} data-testid="cm-area-search" />
      </label>
      {hits.length ? (
        <ul className="cm-hits">
          {hits.map((h) => (
            <li key={`${h.kind}:${h.code}`}>
              <button
                type="button"
                className="btn btn--link"
                onClick={() => {
                  const value = `${h.kind}:${h.code}`;
                  rememberAreaName(value, h.name);
                  onArea(value);
                  setQ('');
                  setHits([]);
                }}
                data-testid="cm-area-result"
                data-area={`${h.kind}:${h.code}`}
              >
                {h.name}
                {h.parentName ? <span className="muted"> · {h.parentName}</span> : null}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="cm-draw" data-testid="cm-draw-tools" data-drawing={drawing ? String(drawing.length) : ''}>
        {drawing ? (
          <>
            <p className="cm-small" role="status">
              {t('crimeMap.filters.drawing', { n: drawing.length })}
            </p>
            <div className="cm-row">
              <button
                type="button"
                className="btn btn--small btn--primary"
                onClick={onFinishDraw}
                disabled={drawing.length < 3}
                data-testid="cm-draw-finish"
              >
                {t('crimeMap.filters.drawFinish')}
              </button>
              <button type="button" className="btn btn--small" onClick={onCancelDraw} data-testid="cm-draw-cancel">
                {t('common.cancel')}
              </button>
            </div>
          </>
        ) : (
          <div className="cm-row cm-row--wrap">
            <button type="button" className="btn btn--small" onClick={onStartDraw} data-testid="cm-draw">
              {t('crimeMap.filters.draw')}
            </button>
            <button type="button" className="btn btn--small" onClick={onUseView} data-testid="cm-draw-view">
              {t('crimeMap.filters.useView')}
            </button>
          </div>
        )}
        {drawError ? (
          <p className="alert alert--error cm-small" role="alert" data-testid="cm-draw-error">
            {drawError}
          </p>
        ) : null}
      </div>
    </fieldset>
  );
}
