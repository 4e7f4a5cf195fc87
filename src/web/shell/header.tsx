import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApp, useSession } from '../app-context.js';
import { Link, useLocation } from '../router.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import {
  ADMIN_ROLES,
  AUDIT_ROLES,
  CONSOLE_ROLES,
  CRIME_MAP_ROLES,
  CRIME_READ_ROLES,
  FIELD_ROLES,
  INDICATORS_ROLES,
  METRICS_ROLES,
  RECORDS_ROLES,
  hasAnyRole,
} from './areas.js';
import { LanguageSwitch } from './language-switch.js';

/** The dark header: product, main navigation, who is signed in, language and sign-out. */
export function Header() {
  const { t } = useTranslation();
  const { platform, signOut } = useApp();
  const session = useSession();
  const { path } = useLocation();
  const roles = session.user.roles;
  const [menuOpen, setMenuOpen] = useState(false);
  const [confirmAll, setConfirmAll] = useState(false);
  const [busy, setBusy] = useState(false);
  const menuRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!menuOpen) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !menuRef.current?.contains(e.target as Node)) setMenuOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [menuOpen]);

  const nav = [
    { to: '/', label: t('shell.nav.home'), show: true, testId: 'nav-home' },
    { to: '/despacho', label: t('shell.nav.dispatch'), show: hasAnyRole(roles, CONSOLE_ROLES), testId: 'nav-dispatch' },
    { to: '/campo', label: t('shell.nav.field'), show: hasAnyRole(roles, FIELD_ROLES), testId: 'nav-field' },
    { to: '/iph', label: t('shell.nav.records'), show: hasAnyRole(roles, RECORDS_ROLES), testId: 'nav-records' },
    { to: '/metricas', label: t('shell.nav.metrics'), show: hasAnyRole(roles, METRICS_ROLES), testId: 'nav-metrics' },
    { to: '/registros', label: t('shell.nav.crimeRecords'), show: hasAnyRole(roles, CRIME_READ_ROLES), testId: 'nav-crime-records' },
    { to: '/mapa', label: t('shell.nav.crimeMap'), show: hasAnyRole(roles, CRIME_MAP_ROLES), testId: 'nav-crime-map' },
    { to: '/indicadores', label: t('shell.nav.indicators'), show: hasAnyRole(roles, INDICATORS_ROLES), testId: 'nav-indicators' },
    { to: '/admin', label: t('shell.nav.admin'), show: hasAnyRole(roles, ADMIN_ROLES), testId: 'nav-admin' },
    { to: '/audit', label: t('shell.nav.audit'), show: hasAnyRole(roles, AUDIT_ROLES), testId: 'nav-audit' },
  ].filter((n) => n.show);
  const isActive = (to: string) => (to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`));

  const out = async (everywhere: boolean) => {
    setBusy(true);
    await signOut({ everywhere });
  };

  return (
    <header className="app-header">
      <a className="skip-link" href="#main">
        {t('shell.skipToContent')}
      </a>
      <Link to="/" className="app-brand" data-testid="brand">
        <span className="brand-mark brand-mark--small" aria-hidden="true">
          C5
        </span>
        <span className="app-brand-name">{platform?.name ?? t('common.appName')}</span>
        {platform?.demo ? <span className="badge badge--demo">{t('common.demo')}</span> : null}
      </Link>
      <nav className="app-nav" aria-label={t('shell.mainNav')}>
        {nav.map((n) => (
          <Link key={n.to} to={n.to} className="app-nav-link" aria-current={isActive(n.to) ? 'page' : undefined} data-testid={n.testId}>
            {n.label}
          </Link>
        ))}
      </nav>
      <div className="app-header-right">
        <LanguageSwitch tone="dark" />
        <div className="user-menu" ref={menuRef}>
          <button
            type="button"
            className="user-menu-button"
            aria-haspopup="true"
            aria-expanded={menuOpen}
            aria-controls="user-menu-list"
            onClick={() => setMenuOpen((v) => !v)}
            data-testid="user-menu"
          >
            <span className="user-name" data-testid="header-user">
              {session.user.fullName}
            </span>
            <span className="user-agency" title={session.agency.name} data-testid="header-agency">
              {session.agency.code} · {session.agency.name}
            </span>
          </button>
          {menuOpen ? (
            <ul className="user-menu-list" id="user-menu-list" aria-label={t('shell.userMenu')}>
              <li>
                <Link to="/account" onClick={() => setMenuOpen(false)} data-testid="nav-account">
                  {t('shell.nav.account')}
                </Link>
              </li>
              <li>
                <button
                  type="button"
                  onClick={() => {
                    setMenuOpen(false);
                    setConfirmAll(true);
                  }}
                  data-testid="logout-all"
                >
                  {t('shell.logoutAll')}
                </button>
              </li>
            </ul>
          ) : null}
        </div>
        <button type="button" className="btn btn--header" onClick={() => void out(false)} disabled={busy} data-testid="logout">
          {t('shell.logout')}
        </button>
      </div>
      <ConfirmDialog
        open={confirmAll}
        title={t('shell.logoutAll')}
        confirmLabel={t('shell.logoutAll')}
        danger
        busy={busy}
        onConfirm={() => void out(true)}
        onCancel={() => setConfirmAll(false)}
        testId="logout-all-dialog"
      >
        <p>{t('shell.logoutAllConfirm')}</p>
      </ConfirmDialog>
    </header>
  );
}
