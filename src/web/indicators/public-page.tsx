import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { AppContext, type AppServices } from '../app-context.js';
import { applyLanguage } from '../i18n.js';
import { LanguageSwitch } from '../shell/language-switch.js';
import { IndicatorsView } from './indicators-view.js';

/**
 * /publico/indicadores: the official crime statistics for citizens, without login. It reads only
 * the public API (rate-limited, cached); no session is looked for and none is needed.
 */
export default function PublicIndicatorsPage() {
  const { t } = useTranslation();
  const services = useMemo<AppServices>(
    () => ({
      platform: null,
      session: null,
      changeLanguage: applyLanguage,
      signOut: async () => undefined,
      endSession: () => undefined,
    }),
    [],
  );
  useEffect(() => {
    document.title = `${t('indicators.publicTitle')} · ${t('common.appName')}`;
  }, [t]);
  return (
    <AppContext.Provider value={services}>
      <div className="public-page" data-testid="public-indicators">
        <header className="public-header">
          <span className="brand-mark brand-mark--small" aria-hidden="true">
            C5
          </span>
          <h1>{t('indicators.publicTitle')}</h1>
          <div className="public-header-right">
            <LanguageSwitch tone="dark" />
            <a href="/" data-testid="public-login">
              {t('indicators.signIn')}
            </a>
          </div>
        </header>
        <main className="page" id="main">
          <p className="page-subtitle">{t('indicators.publicSubtitle')}</p>
          <IndicatorsView scope="public" />
        </main>
        <footer className="public-footer">{t('indicators.publicFooter')}</footer>
      </div>
    </AppContext.Provider>
  );
}
