import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, getAgencies, type Agency } from '../api.js';
import { Alert } from '../ui/alert.js';
import type { Verification } from './iph-api.js';

/** The agency list (small, read once per page load) for names and the receiving-authority choices. */
let agencyCache: Promise<Agency[]> | null = null;
export function useAgencies(): Agency[] {
  const [list, setList] = useState<Agency[]>([]);
  useEffect(() => {
    let live = true;
    agencyCache ??= getAgencies()
      .then((r) => r.agencies)
      .catch(() => {
        agencyCache = null;
        return [];
      });
    void agencyCache.then((a) => live && setList(a));
    return () => {
      live = false;
    };
  }, []);
  return list;
}

export const errorMessage = (err: unknown, fallback: string) => (err instanceof ApiError ? err.message : fallback);

export function StatusBadge({ status }: { status: 'draft' | 'signed' | 'in_custody' | 'handed_over' }) {
  const { t } = useTranslation();
  const kind = status === 'signed' || status === 'handed_over' ? 'ok' : 'warning';
  return (
    <span className={`badge badge--${kind}`} data-status={status} data-testid="record-status">
      {t(`records.status.${status}`)}
    </span>
  );
}

/** The first characters of a SHA-256, with the whole of it on hover and for copying. */
export function Hash({ value, testId }: { value: string | null | undefined; testId?: string }) {
  if (!value) return <span className="muted">—</span>;
  return (
    <code className="rec-hash" title={value} data-testid={testId} data-hash={value}>
      {value.slice(0, 16)}…
    </code>
  );
}

/** The answer of a chain verification: intact, or the first broken link named. */
export function VerificationResult({ value, testId, extra }: { value: Verification; testId: string; extra?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div data-testid={testId} data-intact={value.intact ? 'true' : 'false'}>
      <Alert kind={value.intact ? 'success' : 'error'}>
        <strong>{value.intact ? t('records.verify.intact') : t('records.verify.broken')}</strong> {value.message}
        {value.headHash ? (
          <>
            {' '}
            {t('records.verify.head')} <Hash value={value.headHash} />
          </>
        ) : null}
        {extra}
      </Alert>
    </div>
  );
}

/**
 * Signs with the user's password (explicit re-authentication): for the IPH signature and
 * for amendments. The dialog stays open with the server's message when it refuses.
 */
export function PasswordDialog({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  testId,
}: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  onConfirm: (password: string) => Promise<void>;
  onCancel: () => void;
  testId: string;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setPassword('');
      setError(null);
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm(password);
    } catch (err) {
      setError(errorMessage(err, t('common.unexpectedError')));
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${testId}-title`}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id={`${testId}-title`} className="dialog-title">
          {title}
        </h2>
        <div className="dialog-body">
          {children}
          <div className="field">
            <label htmlFor={`${testId}-password`}>{t('records.signPassword')}</label>
            <input
              id={`${testId}-password`}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid={`${testId}-password`}
            />
          </div>
        </div>
        {error ? (
          <p className="field-error" role="alert" data-testid={`${testId}-error`}>
            {error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy || !password} data-testid={`${testId}-ok`}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Asks the browser for the device's position (the officer's phone); null when it cannot. */
export function currentPosition(): Promise<{ lat: number; lon: number } | null> {
  return new Promise((resolve) => {
    if (!('geolocation' in navigator)) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: Number(p.coords.latitude.toFixed(6)), lon: Number(p.coords.longitude.toFixed(6)) }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 10_000, maximumAge: 60_000 },
    );
  });
}
