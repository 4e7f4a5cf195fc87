import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { LocateResult } from '../api.js';

export type LocateState = { lat: number; lon: number } & (
  { status: 'loading' } | { status: 'ok'; result: LocateResult } | { status: 'error'; code: string; message: string }
);

function Row({ label, testId, code, children }: { label: string; testId: string; code?: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>
        <span className="locate-name">{children}</span>
        {code ? <code className="locate-code">{code}</code> : null}
      </dd>
    </>
  );
}

/** What is at the clicked point: state, municipality and, in Mexico City, borough, neighbourhood and quadrant. */
export function LocatePanel({ state, onClose }: { state: LocateState | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  if (!state) {
    return (
      <div className="map-panel map-locate map-locate--hint" data-testid="locate-panel" data-status="idle">
        <p className="muted">{t('map.locate.hint')}</p>
      </div>
    );
  }
  const coords = `${state.lat.toFixed(5)}, ${state.lon.toFixed(5)}`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(coords);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      /* the coordinates stay visible */
    }
  };
  const empty = t('common.emptyValue');
  return (
    <section
      className="map-panel map-locate"
      aria-labelledby="locate-title"
      data-testid="locate-panel"
      data-status={state.status}
      aria-live="polite"
    >
      <div className="map-panel-head">
        <h2 id="locate-title">{t('map.locate.title')}</h2>
        <button type="button" className="icon-btn" onClick={onClose} aria-label={t('map.locate.close')} data-testid="locate-close">
          ×
        </button>
      </div>
      <dl className="kv kv--compact">
        <dt>{t('map.locate.coordinates')}</dt>
        <dd data-testid="locate-coords">
          <span className="mono">{coords}</span>{' '}
          <button type="button" className="btn btn--link btn--small" onClick={() => void copy()} aria-label={t('map.locate.copy')}>
            {copied ? t('common.copied') : t('common.copy')}
          </button>
        </dd>
        {state.status === 'ok' ? (
          <>
            <Row label={t('map.locate.state')} testId="locate-state" code={state.result.state.code}>
              {state.result.state.name}
            </Row>
            <Row label={t('map.locate.municipality')} testId="locate-municipality" code={state.result.municipality.code}>
              {state.result.municipality.name}
            </Row>
            {state.result.alcaldia ? (
              <Row label={t('map.locate.alcaldia')} testId="locate-alcaldia" code={state.result.alcaldia.code}>
                {state.result.alcaldia.name}
              </Row>
            ) : null}
            {state.result.colonia || state.result.alcaldia ? (
              <Row label={t('map.locate.colonia')} testId="locate-colonia" code={state.result.colonia?.id}>
                {state.result.colonia?.name ?? empty}
              </Row>
            ) : null}
            {state.result.quadrant || state.result.alcaldia ? (
              <Row label={t('map.locate.quadrant')} testId="locate-quadrant" code={state.result.quadrant?.id}>
                {state.result.quadrant
                  ? `${t('map.locate.sector')} ${state.result.quadrant.sector} · ${t('map.locate.zona')} ${state.result.quadrant.zona}`
                  : empty}
              </Row>
            ) : null}
          </>
        ) : null}
      </dl>
      {state.status === 'loading' ? (
        <p className="muted" role="status">
          {t('map.locate.loading')}
        </p>
      ) : null}
      {state.status === 'error' ? (
        <p className="locate-error" data-testid="locate-error" data-code={state.code}>
          {state.message}
        </p>
      ) : null}
    </section>
  );
}
