import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, getSession, logout } from '../api.js';
import { useApp } from '../app-context.js';

const ACTIVITY_KEY = 'oc5_last_activity';
const EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'scroll'] as const;

function sharedActivity(): number {
  try {
    return Number(localStorage.getItem(ACTIVITY_KEY)) || 0;
  } catch {
    return 0;
  }
}

/**
 * Inactivity: warns a minute before the server's idle limit and signs out when
 * it is reached. While the user works (in any tab of the app), a light
 * `GET /api/session` now and then keeps the server session alive, since panning
 * a map sends no request of its own.
 */
export function IdleGuard({ idleSeconds }: { idleSeconds: number }) {
  const { t } = useTranslation();
  const { endSession } = useApp();
  const idleMs = Math.max(30, idleSeconds) * 1000;
  const warnMs = Math.min(60_000, idleMs / 2);
  const pingEveryMs = Math.min(120_000, Math.max(30_000, idleMs / 4));
  const lastActivity = useRef(Date.now());
  const lastPing = useRef(Date.now());
  const warning = useRef(false);
  const ended = useRef(false);
  const [remaining, setRemaining] = useState<number | null>(null);
  const stayRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    let lastShared = 0;
    const onActivity = () => {
      if (warning.current) return;
      const now = Date.now();
      lastActivity.current = now;
      if (now - lastShared > 5000) {
        lastShared = now;
        try {
          localStorage.setItem(ACTIVITY_KEY, String(now));
        } catch {
          /* private mode: this tab alone counts */
        }
      }
    };
    for (const e of EVENTS) window.addEventListener(e, onActivity, { passive: true, capture: true });

    const expire = async () => {
      ended.current = true;
      try {
        await getSession({ quiet401: true });
        await logout().catch(() => undefined);
        endSession(t('login.idleLogout'));
      } catch (err) {
        endSession(err instanceof ApiError && err.status === 401 ? err.message : t('login.idleLogout'));
      }
    };

    const tick = () => {
      if (ended.current) return;
      const now = Date.now();
      const last = Math.max(lastActivity.current, sharedActivity());
      const idleFor = now - last;
      if (idleFor >= idleMs) {
        void expire();
        return;
      }
      if (idleFor >= idleMs - warnMs) {
        warning.current = true;
        setRemaining(Math.ceil((idleMs - idleFor) / 1000));
      } else if (warning.current) {
        // Activity in another tab of the app.
        warning.current = false;
        setRemaining(null);
      }
      if (last > lastPing.current && now - lastPing.current >= pingEveryMs) {
        lastPing.current = now;
        getSession().catch(() => undefined);
      }
    };
    const timer = window.setInterval(tick, 1000);
    return () => {
      window.clearInterval(timer);
      for (const e of EVENTS) window.removeEventListener(e, onActivity, { capture: true });
    };
  }, [idleMs, warnMs, pingEveryMs, endSession, t]);

  const open = remaining !== null;
  useEffect(() => {
    const d = dialogRef.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      stayRef.current?.focus();
    } else if (!open && d.open) d.close();
  }, [open]);

  const stay = () => {
    const now = Date.now();
    warning.current = false;
    lastActivity.current = now;
    lastPing.current = now;
    try {
      localStorage.setItem(ACTIVITY_KEY, String(now));
    } catch {
      /* ignore */
    }
    setRemaining(null);
    getSession().catch(() => undefined);
  };

  return (
    <dialog
      ref={dialogRef}
      className="dialog dialog--warning"
      aria-labelledby="idle-title"
      data-testid="idle-dialog"
      onCancel={(e) => {
        e.preventDefault();
        stay();
      }}
    >
      <h2 id="idle-title" className="dialog-title">
        {t('idle.title')}
      </h2>
      <p className="dialog-body">{t('idle.body', { seconds: remaining ?? 0 })}</p>
      <div className="dialog-actions">
        <button
          type="button"
          className="btn"
          onClick={() => {
            ended.current = true;
            void logout()
              .catch(() => undefined)
              .then(() => endSession(t('login.loggedOut')));
          }}
        >
          {t('idle.logoutNow')}
        </button>
        <button type="button" ref={stayRef} className="btn btn--primary" onClick={stay} data-testid="idle-stay">
          {t('idle.stay')}
        </button>
      </div>
    </dialog>
  );
}
