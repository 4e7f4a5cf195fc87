import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { getAgencies, getUsers, type Agency, type User } from '../api.js';
import { useSession } from '../app-context.js';
import { Link, navigate, useLocation } from '../router.js';
import { Alert } from '../ui/alert.js';
import { useLoad } from '../ui/use-load.js';
import { AgenciesTab } from './agencies-tab.js';
import { manageableAgencies } from './agency-tree.js';
import { UsersTab } from './users-tab.js';

const TABS = ['users', 'agencies'] as const;
type Tab = (typeof TABS)[number];

/** Administration: agencies and users (agency and system administrators). */
export default function AdminPage() {
  const { t } = useTranslation();
  const session = useSession();
  const { path } = useLocation();
  const tab: Tab | null = path === '/admin/agencies' ? 'agencies' : path === '/admin/users' ? 'users' : null;
  useEffect(() => {
    if (!tab) navigate('/admin/users', { replace: true });
  }, [tab]);

  const agencies = useLoad(() => getAgencies().then((r) => r.agencies), 'agencies', t('common.unexpectedError'));
  const users = useLoad(() => getUsers().then((r) => r.users), 'users', t('common.unexpectedError'));
  const allAgencies: Agency[] = agencies.data ?? [];
  const manageable = useMemo(() => manageableAgencies(allAgencies, session.user.roles, session.agency.id), [allAgencies, session]);
  const upsertUser = (u: User) => users.setData([...(users.data ?? []).filter((x) => x.id !== u.id), u]);

  return (
    <div className="page" data-testid="admin-page">
      <div className="page-head">
        <h1 className="page-title">{t('admin.title')}</h1>
        <nav className="tabs" aria-label={t('admin.title')}>
          {TABS.map((k) => (
            <Link key={k} to={`/admin/${k}`} className="tab" aria-current={tab === k ? 'page' : undefined} data-testid={`admin-tab-${k}`}>
              {t(`admin.tabs.${k}`)}
            </Link>
          ))}
        </nav>
        <button
          type="button"
          className="btn btn--small"
          onClick={() => {
            agencies.reload();
            users.reload();
          }}
        >
          {t('common.refresh')}
        </button>
      </div>
      {agencies.error ? <Alert kind="error">{agencies.error}</Alert> : null}
      {tab === 'users' && users.error ? <Alert kind="error">{users.error}</Alert> : null}
      {(agencies.loading && !agencies.data) || (tab === 'users' && users.loading && !users.data) ? (
        <p className="muted" role="status">
          {t('common.loading')}
        </p>
      ) : tab === 'agencies' ? (
        <AgenciesTab agencies={allAgencies} manageable={manageable} canWrite onCreated={(a) => agencies.setData([...allAgencies, a])} />
      ) : tab === 'users' ? (
        <UsersTab users={users.data ?? []} agencies={allAgencies} manageable={manageable} onCreated={upsertUser} onChanged={upsertUser} />
      ) : null}
    </div>
  );
}
