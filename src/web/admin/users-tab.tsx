import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLES, type Agency, type Role, type User } from '../api.js';
import { useSession } from '../app-context.js';
import { Alert } from '../ui/alert.js';
import { UserBadges } from './user-badges.js';
import { UserDetail } from './user-detail.js';
import { UserForm } from './user-form.js';

type Status = '' | 'active' | 'locked' | 'disabled' | 'mfaPending';
const STATUSES: Status[] = ['', 'active', 'locked', 'disabled', 'mfaPending'];

const matchesStatus = (u: User, s: Status) =>
  s === '' ||
  (s === 'active' && !u.locked && !u.disabled) ||
  (s === 'locked' && u.locked) ||
  (s === 'disabled' && u.disabled) ||
  (s === 'mfaPending' && !u.mfaEnrolled);

type UsersTabProps = {
  users: User[];
  agencies: Agency[];
  manageable: Agency[];
  onCreated: (u: User) => void;
  onChanged: (u: User) => void;
};

/** The users this administrator manages: filters, list, details and actions, and the form for a new one. */
export function UsersTab({ users, agencies, manageable, onCreated, onChanged }: UsersTabProps) {
  const { t } = useTranslation();
  const session = useSession();
  const grantable: readonly Role[] = session.user.roles.includes('system_admin') ? ROLES : ROLES.filter((r) => r !== 'system_admin');
  const [text, setText] = useState('');
  const [agencyId, setAgencyId] = useState('');
  const [role, setRole] = useState<Role | ''>('');
  const [status, setStatus] = useState<Status>('');
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const byId = useMemo(() => new Map(agencies.map((a) => [a.id, a])), [agencies]);

  const rows = useMemo(() => {
    const q = text.trim().toLocaleLowerCase();
    return users
      .filter(
        (u) =>
          (!q ||
            u.username.toLocaleLowerCase().includes(q) ||
            u.fullName.toLocaleLowerCase().includes(q) ||
            (u.email ?? '').toLocaleLowerCase().includes(q)) &&
          (!agencyId || u.agencyId === agencyId) &&
          (!role || u.roles.includes(role)) &&
          matchesStatus(u, status),
      )
      .sort((a, b) => a.username.localeCompare(b.username));
  }, [users, text, agencyId, role, status]);
  const current = users.find((u) => u.id === selected) ?? null;
  const agencyOptions = agencies.filter((a) => users.some((u) => u.agencyId === a.id));

  return (
    <div className="tab-panel" data-testid="users-tab">
      {done ? (
        <Alert kind="success" onClose={() => setDone(null)} closeLabel={t('common.close')}>
          {done}
        </Alert>
      ) : null}
      {creating ? (
        <UserForm
          agencies={manageable}
          grantable={grantable}
          defaultAgencyId={session.agency.id}
          onCancel={() => setCreating(false)}
          onCreated={(u) => {
            setCreating(false);
            setDone(t('users.createdOk', { username: u.username }));
            setSelected(u.id);
            onCreated(u);
          }}
        />
      ) : null}
      <div className="toolbar">
        <input
          type="search"
          className="toolbar-search"
          placeholder={t('users.filter')}
          aria-label={t('users.filter')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="user-filter"
        />
        <select
          aria-label={t('users.filterAgency')}
          value={agencyId}
          onChange={(e) => setAgencyId(e.target.value)}
          data-testid="user-filter-agency"
        >
          <option value="">
            {t('users.filterAgency')}: {t('common.all')}
          </option>
          {agencyOptions.map((a) => (
            <option key={a.id} value={a.id}>
              {a.code}
            </option>
          ))}
        </select>
        <select
          aria-label={t('users.filterRole')}
          value={role}
          onChange={(e) => setRole(e.target.value as Role | '')}
          data-testid="user-filter-role"
        >
          <option value="">
            {t('users.filterRole')}: {t('common.all')}
          </option>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`roles.${r}`)}
            </option>
          ))}
        </select>
        <select
          aria-label={t('users.filterStatus')}
          value={status}
          onChange={(e) => setStatus(e.target.value as Status)}
          data-testid="user-filter-status"
        >
          {STATUSES.map((s) => (
            <option key={s || 'all'} value={s}>
              {t('users.filterStatus')}: {t(`users.statusFilter.${s || 'all'}`)}
            </option>
          ))}
        </select>
        <span className="toolbar-count">{t('users.count', { count: rows.length })}</span>
        {!creating ? (
          <button type="button" className="btn btn--primary" onClick={() => setCreating(true)} data-testid="user-new">
            {t('users.new')}
          </button>
        ) : null}
      </div>
      <div className="split">
        <div className="table-wrap split-main">
          <table className="table table--interactive" data-testid="user-table">
            <thead>
              <tr>
                <th scope="col">{t('users.username')}</th>
                <th scope="col">{t('users.fullName')}</th>
                <th scope="col">{t('users.agency')}</th>
                <th scope="col">{t('users.roles')}</th>
                <th scope="col">{t('users.status')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((u) => (
                <tr
                  key={u.id}
                  className={u.id === selected ? 'is-selected' : undefined}
                  onClick={() => setSelected(u.id)}
                  data-testid="user-row"
                  data-username={u.username}
                >
                  <td className="nowrap">
                    <button type="button" className="row-link mono" onClick={() => setSelected(u.id)} aria-pressed={u.id === selected}>
                      {u.username}
                    </button>
                  </td>
                  <td>{u.fullName}</td>
                  <td className="mono" title={byId.get(u.agencyId)?.name}>
                    {byId.get(u.agencyId)?.code ?? t('common.emptyValue')}
                  </td>
                  <td>
                    {u.roles.map((r) => (
                      <span key={r} className="chip">
                        {t(`roles.${r}`)}
                      </span>
                    ))}
                  </td>
                  <td>
                    <UserBadges user={u} />
                  </td>
                </tr>
              ))}
              {rows.length === 0 ? (
                <tr>
                  <td colSpan={5} className="empty-cell">
                    {t('users.empty')}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
        <aside className="split-side">
          {current ? (
            <UserDetail user={current} agency={byId.get(current.agencyId)} grantable={grantable} onChanged={onChanged} />
          ) : (
            <p className="card muted">{t('users.select')}</p>
          )}
        </aside>
      </div>
    </div>
  );
}
