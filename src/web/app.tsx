import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  ApiError,
  api,
  getPlatform,
  getSession,
  logout,
  logoutEverywhere,
  putLanguage,
  type Language,
  type Platform,
  type Session,
} from './api.js';
import { AppContext, type AppServices } from './app-context.js';
import { LoginPage } from './auth/login-page.js';
import { applyLanguage, currentLanguage, readLanguageCookie } from './i18n.js';
import { Shell } from './shell/shell.js';

type Phase = 'loading' | 'anonymous' | 'signed-in';

/**
 * The root: loads the platform description and the session, and shows the login
 * page or the app shell. Any 401 from the API brings the login page back with the
 * server's message.
 */
export function App() {
  const { t } = useTranslation();
  const [platform, setPlatform] = useState<Platform | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [phase, setPhase] = useState<Phase>('loading');
  const [notice, setNotice] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  /** The language was switched on the login page: the profile gets it after sign-in. */
  const chosenBeforeLogin = useRef(false);
  const sessionRef = useRef<Session | null>(null);
  sessionRef.current = session;

  const toLogin = useCallback((message: string | null) => {
    api.setCsrfToken(null);
    setSession(null);
    setNotice(message);
    setPhase('anonymous');
  }, []);

  const adopt = useCallback(async (s: Session, fromLogin: boolean) => {
    api.setCsrfToken(s.csrfToken);
    const cur = currentLanguage();
    const profile = s.user.language === 'en' || s.user.language === 'es' ? s.user.language : null;
    if (fromLogin) {
      // The choice made on this browser (cookie or the switch on the login page) wins and is
      // saved to the profile; without one, the profile's language applies.
      if (chosenBeforeLogin.current || readLanguageCookie()) {
        if (profile !== cur) putLanguage(cur).catch(() => undefined);
      } else if (profile && profile !== cur) {
        await applyLanguage(profile);
      }
    }
    chosenBeforeLogin.current = false;
    setSession(s);
    setNotice(null);
    setPhase('signed-in');
  }, []);

  const probe = useCallback(async () => {
    setLoadError(null);
    try {
      await adopt(await getSession({ quiet401: true }), false);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) toLogin(err.code === 'session_expired' ? err.message : null);
      else {
        setLoadError(err instanceof ApiError ? err.message : t('common.networkError'));
        setPhase('loading');
      }
    }
  }, [adopt, toLogin, t]);

  useEffect(() => {
    getPlatform()
      .then(setPlatform)
      .catch(() => undefined);
    api.onUnauthorized((err) => {
      if (sessionRef.current) toLogin(err.message);
    });
    void probe();
    return () => api.onUnauthorized(null);
  }, [probe, toLogin]);

  const services = useMemo<AppServices>(
    () => ({
      platform,
      session,
      async changeLanguage(lang: Language) {
        await applyLanguage(lang);
        if (sessionRef.current) {
          putLanguage(lang).catch(() => undefined);
          setSession({ ...sessionRef.current, user: { ...sessionRef.current.user, language: lang } });
        } else chosenBeforeLogin.current = true;
      },
      async signOut({ everywhere }) {
        try {
          await (everywhere ? logoutEverywhere() : logout());
        } catch {
          /* the session may already be gone; the login page follows either way */
        }
        toLogin(everywhere ? t('login.loggedOutAll') : t('login.loggedOut'));
      },
      endSession: toLogin,
    }),
    [platform, session, toLogin, t],
  );

  useEffect(() => {
    if (phase !== 'signed-in') document.title = `${t('login.title')} · ${platform?.name ?? t('common.appName')}`;
  }, [phase, platform, t]);

  return (
    <AppContext.Provider value={services}>
      {phase === 'loading' ? (
        <div className="splash" role="status" aria-live="polite">
          <span className="brand-mark" aria-hidden="true">
            C5
          </span>
          {loadError ? (
            <>
              <p>{loadError}</p>
              <button type="button" className="btn btn--primary" onClick={() => void probe()}>
                {t('common.retry')}
              </button>
            </>
          ) : (
            <p>{t('common.loading')}</p>
          )}
        </div>
      ) : phase === 'anonymous' || !session ? (
        <LoginPage
          notice={notice}
          onAuthenticated={async () => {
            await adopt(await getSession({ quiet401: true }), true);
          }}
        />
      ) : (
        <Shell key={session.user.id} />
      )}
    </AppContext.Provider>
  );
}
