import { useTranslation } from 'react-i18next';
import { useSession } from '../app-context.js';
import { Link, useLocation } from '../router.js';
import { INDICATORS_IMPORT_ROLES, INDICATORS_PLATFORM_ROLES, hasAnyRole } from '../shell/areas.js';
import { IndicatorsView } from './indicators-view.js';
import { PlatformPanel } from './platform-panel.js';
import { ReleasesPanel } from './releases-panel.js';

/** /indicadores: official statistics, the releases loaded, and the platform's own 911 data. */
export default function IndicatorsPage() {
  const { t } = useTranslation();
  const { path, search } = useLocation();
  const roles = useSession().user.roles;
  const tab = path === '/indicadores/publicaciones' ? 'releases' : path === '/indicadores/plataforma' ? 'platform' : 'official';
  const tabs = [
    { id: 'official', to: `/indicadores${tab === 'official' && search.toString() ? `?${search}` : ''}`, show: true },
    { id: 'releases', to: '/indicadores/publicaciones', show: true },
    { id: 'platform', to: '/indicadores/plataforma', show: hasAnyRole(roles, INDICATORS_PLATFORM_ROLES) },
  ].filter((x) => x.show);
  return (
    <section className="page" data-testid="indicators-page">
      <header className="page-head">
        <div>
          <h1 className="page-title">{t('indicators.title')}</h1>
          <p className="page-subtitle">{t('indicators.subtitle')}</p>
        </div>
        <div className="page-head-actions">
          <a className="btn btn--small" href="/publico/indicadores" data-testid="ind-public-link">
            {t('indicators.publicVersion')}
          </a>
        </div>
      </header>
      <nav className="tabs" aria-label={t('indicators.title')}>
        {tabs.map((x) => (
          <Link key={x.id} to={x.to} className="tab" aria-current={tab === x.id ? 'page' : undefined} data-testid={`ind-tab-${x.id}`}>
            {t(`indicators.tabs.${x.id}`)}
          </Link>
        ))}
      </nav>
      {tab === 'official' ? <IndicatorsView scope="private" /> : null}
      {tab === 'releases' ? <ReleasesPanel canImport={hasAnyRole(roles, INDICATORS_IMPORT_ROLES)} /> : null}
      {tab === 'platform' && hasAnyRole(roles, INDICATORS_PLATFORM_ROLES) ? <PlatformPanel /> : null}
    </section>
  );
}
