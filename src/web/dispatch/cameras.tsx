import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, getNearbyCameras, openCamera, type NearbyCamera, type OpenedCamera } from '../api.js';
import { currentLanguage, locale } from '../i18n.js';
import { formatDistance } from './format.js';

const RADII = [500, 1000, 2000, 5000] as const;

/** Video-surveillance cameras near the incident; opening one is recorded and gives its stream address. */
export function NearbyCameras({ incidentId, onOpened }: { incidentId: string; onOpened: () => void }) {
  const { t } = useTranslation();
  const loc = locale(currentLanguage());
  const [radius, setRadius] = useState<number>(500);
  const [cameras, setCameras] = useState<NearbyCamera[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [opened, setOpened] = useState<OpenedCamera | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setCameras(null);
    getNearbyCameras(incidentId, radius)
      .then((r) => {
        if (!live) return;
        setCameras(r.cameras);
        setError(null);
      })
      .catch((err: unknown) => live && setError(err instanceof ApiError ? err.message : t('common.unexpectedError')));
    return () => {
      live = false;
    };
  }, [incidentId, radius, t]);

  const open = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      setOpened(await openCamera(incidentId, id));
      onOpened();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="detail-block" aria-labelledby="cams-title" data-testid="cameras">
      <div className="detail-block-head">
        <h3 id="cams-title">{t('dispatch.cameras.title')}</h3>
        <label className="inline-select">
          <span>{t('dispatch.cameras.radius')}</span>
          <select value={radius} onChange={(e) => setRadius(Number(e.target.value))} data-testid="camera-radius">
            {RADII.map((r) => (
              <option key={r} value={r}>
                {formatDistance(r, loc)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {cameras === null && !error ? <p className="muted">{t('common.loading')}</p> : null}
      {cameras && !cameras.length ? <p className="muted">{t('dispatch.cameras.none', { radius: formatDistance(radius, loc) })}</p> : null}
      {cameras?.length ? (
        <ul className="camera-list">
          {cameras.map((c) => (
            <li key={c.id} data-testid="camera-row" data-code={c.code}>
              <span className="mono">{c.code}</span>
              <span className="camera-name">{c.name}</span>
              <span className="muted small">
                {t(`dispatch.cameras.kind.${c.kind}`)} · {formatDistance(c.distanceM, loc)}
              </span>
              {c.status !== 'online' ? (
                <span className="badge badge--warning">{t(`dispatch.cameras.status.${c.status}`, { defaultValue: c.status })}</span>
              ) : null}
              <button
                type="button"
                className="btn btn--small"
                onClick={() => void open(c.id)}
                disabled={busy === c.id}
                data-testid="camera-open"
              >
                {t('dispatch.cameras.open')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {opened ? (
        <div className="camera-stream" data-testid="camera-stream" role="status">
          <p>
            <strong>
              {opened.code} · {opened.name}
            </strong>
          </p>
          <p className="mono stream-url">{opened.streamUrl}</p>
          <p className="muted small">{t('dispatch.cameras.videoNote')}</p>
        </div>
      ) : null}
    </section>
  );
}
