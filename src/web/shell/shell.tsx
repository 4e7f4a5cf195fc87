import { lazy, Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useApp, useSession } from '../app-context.js';
import { Link, useLocation } from '../router.js';
import { AccountPage } from './account-page.js';
import {
  ADMIN_ROLES,
  AUDIT_ROLES,
  CONSOLE_ROLES,
  CRIME_IMPORT_ROLES,
  CRIME_MAP_ROLES,
  CRIME_READ_ROLES,
  FIELD_ROLES,
  INDICATORS_ROLES,
  METRICS_ROLES,
  SETTINGS_ROLES,
  hasAnyRole,
} from './areas.js';
import { Header } from './header.js';
import { HomePage } from './home-page.js';
import { IdleGuard } from './idle-guard.js';

const AdminPage = lazy(() => import('../admin/admin-page.js'));
const AuditPage = lazy(() => import('../audit/audit-page.js'));
const ConsolePage = lazy(() => import('../dispatch/console-page.js'));
const FieldPage = lazy(() => import('../dispatch/field-page.js'));
const MetricsPage = lazy(() => import('../metrics/metrics-page.js'));
const DispatchSettingsPage = lazy(() => import('../dispatch/settings-page.js'));
const RecordsRoutes = lazy(() => import('../records/iph-routes.js'));
const RecordsPage = lazy(() => import('../records/records-page.js'));
const ImportPage = lazy(() => import('../records/import-page.js'));
const IndicatorsPage = lazy(() => import('../indicators/indicators-page.js'));
const CrimeMapPage = lazy(() => import('../crime-map/crime-map-page.js'));
const AreaProfilePage = lazy(() => import('../crime-map/profile-page.js'));

function Message({ text, testId }: { text: string; testId: string }) {
  const { t } = useTranslation();
  return (
    <div className="page page--narrow" data-testid={testId}>
      <p className="empty-state">{text}</p>
      <Link to="/" className="btn btn--primary">
        {t('shell.goHome')}
      </Link>
    </div>
  );
}

function Routes() {
  const { t } = useTranslation();
  const { path } = useLocation();
  const roles = useSession().user.roles;
  if (path === '/') return <HomePage />;
  if (path === '/account') return <AccountPage />;
  if (path === '/admin' || path.startsWith('/admin/')) {
    return hasAnyRole(roles, ADMIN_ROLES) ? <AdminPage /> : <Message text={t('shell.forbidden')} testId="forbidden" />;
  }
  if (path === '/audit') {
    return hasAnyRole(roles, AUDIT_ROLES) ? <AuditPage /> : <Message text={t('shell.forbidden')} testId="forbidden" />;
  }
  if (path === '/despacho') {
    return hasAnyRole(roles, CONSOLE_ROLES) ? <ConsolePage /> : <Message text={t('shell.forbidden')} testId="forbidden" />;
  }
  if (path === '/despacho/ajustes') {
    return hasAnyRole(roles, SETTINGS_ROLES) ? <DispatchSettingsPage /> : <Message text={t('shell.forbidden')} testId="forbidden" />;
  }
  if (path === '/metricas') {
    return hasAnyRole(roles, METRICS_ROLES) ? <MetricsPage /> : <Message text={t('shell.forbidden')} testId="forbidden" />;
  }
  // IPH, detentions, evidence: the module checks the roles itself (src/web/records/iph-routes.tsx).
  if (/^\/(iph|detenciones|indicios)(\/|$)/.test(path)) return <RecordsRoutes />;
  if (path === '/registros') {
    return hasAnyRole(roles, CRIME_READ_ROLES) ? <RecordsPage /> : <Message text={t('shell.forbidden')} testId="forbidden" />;
  }
  if (path === '/registros/importar') {
    return hasAnyRole(roles, CRIME_IMPORT_ROLES) ? <ImportPage /> : <Message text={t('shell.forbidden')} testId="forbidden" />;
  }
  if (path === '/indicadores' || path.startsWith('/indicadores/')) {
    return hasAnyRole(roles, INDICATORS_ROLES) ? <IndicatorsPage /> : <Message text={t('shell.forbidden')} testId="forbidden" />;
  }
  if (path === '/mapa') {
    return hasAnyRole(roles, CRIME_MAP_ROLES) ? <CrimeMapPage /> : <Message text={t('shell.forbidden')} testId="forbidden" />;
  }
  if (path === '/mapa/perfil') {
    return hasAnyRole(roles, CRIME_MAP_ROLES) ? <AreaProfilePage /> : <Message text={t('shell.forbidden')} testId="forbidden" />;
  }
  if (path === '/campo') {
    return hasAnyRole(roles, FIELD_ROLES) ? <FieldPage /> : <Message text={t('shell.forbidden')} testId="forbidden" />;
  }
  return <Message text={t('shell.notFound')} testId="not-found" />;
}

/** The signed-in app: header, the page of the current route, and the inactivity guard. */
export function Shell() {
  const { t } = useTranslation();
  const session = useSession();
  const { platform } = useApp();
  const { path } = useLocation();

  useEffect(() => {
    const key = path.startsWith('/admin')
      ? 'shell.nav.admin'
      : path === '/audit'
        ? 'shell.nav.audit'
        : path === '/metricas'
          ? 'shell.nav.metrics'
          : path.startsWith('/registros')
            ? 'shell.nav.crimeRecords'
            : path.startsWith('/indicadores')
              ? 'shell.nav.indicators'
              : path.startsWith('/mapa')
                ? 'shell.nav.crimeMap'
                : path === '/account'
                  ? 'shell.nav.account'
                  : 'shell.nav.home';
    document.title = `${t(key)} · ${platform?.name ?? t('common.appName')}`;
  }, [path, platform, t]);

  return (
    <div className="app">
      <Header />
      <main id="main" className={`app-main${path === '/despacho' || path === '/mapa' ? ' app-main--fill' : ''}`} tabIndex={-1}>
        <Suspense
          fallback={
            <p className="page muted" role="status">
              {t('common.loading')}
            </p>
          }
        >
          <Routes />
        </Suspense>
      </main>
      <IdleGuard idleSeconds={session.idleTimeoutSeconds} />
    </div>
  );
}
