import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { setUserPassword, setUserRoles, userAction, type Agency, type Role, type User, type UserAction } from '../api.js';
import { useSession } from '../app-context.js';
import { currentLanguage, locale } from '../i18n.js';
import { Alert } from '../ui/alert.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import { Field, controlAria } from '../ui/field.js';
import { toFormError, type FormError } from '../ui/errors.js';
import { RoleCheckboxes } from './role-checkboxes.js';
import { UserBadges } from './user-badges.js';

type Pending = 'roles' | 'password' | UserAction;

type UserDetailProps = { user: User; agency: Agency | undefined; grantable: readonly Role[]; onChanged: (u: User) => void };

/** One user: details, roles, and the administrative actions, each confirmed. */
export function UserDetail({ user, agency, grantable, onChanged }: UserDetailProps) {
  const { t } = useTranslation();
  const session = useSession();
  const own = user.id === session.user.id;
  const [roles, setRoles] = useState<Role[]>(user.roles);
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  /** An error, and where it belongs: the roles, the password, or the actions. */
  const [error, setError] = useState<(FormError & { at: 'roles' | 'password' | 'actions' }) | null>(null);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    setRoles(user.roles);
    setPassword('');
    setError(null);
    setDone(null);
  }, [user.id, user.roles]);

  const rolesChanged = roles.length !== user.roles.length || roles.some((r) => !user.roles.includes(r));
  // Roles the administrator cannot grant stay as they are (shown, not editable).
  const shownRoles = [...grantable, ...user.roles.filter((r) => !grantable.includes(r))];

  const ask = (p: Pending) => {
    setDone(null);
    setError(null);
    if (p === 'password' && !password) {
      setError({ message: t('common.required'), field: 'password', at: 'password' });
      return;
    }
    if (p === 'roles' && roles.length === 0) {
      setError({ message: t('users.rolesHelp'), field: 'roles', at: 'roles' });
      return;
    }
    setPending(p);
  };

  const run = async () => {
    if (!pending) return;
    const p = pending;
    setBusy(true);
    try {
      const updated =
        p === 'roles'
          ? await setUserRoles(user.id, roles)
          : p === 'password'
            ? await setUserPassword(user.id, password)
            : await userAction(user.id, p);
      if (p === 'password') setPassword('');
      setDone(t(`users.done.${p}`));
      onChanged(updated);
    } catch (err) {
      setError({
        ...toFormError(err, t('common.unexpectedError')),
        at: p === 'roles' ? 'roles' : p === 'password' ? 'password' : 'actions',
      });
    } finally {
      setBusy(false);
      setPending(null);
    }
  };

  const fmt = new Intl.DateTimeFormat(locale(currentLanguage()), { dateStyle: 'medium', timeStyle: 'short' });
  const danger = pending === 'disable' || pending === 'reset-mfa' || pending === 'password';
  const confirmLabel = pending
    ? t(
        pending === 'roles'
          ? 'users.saveRoles'
          : pending === 'password'
            ? 'users.setPassword'
            : pending === 'reset-mfa'
              ? 'users.resetMfa'
              : `users.${pending}`,
      )
    : '';
  return (
    <section className="card user-detail" aria-labelledby="user-detail-title" data-testid="user-detail" data-username={user.username}>
      <header className="user-detail-head">
        <div>
          <h2 id="user-detail-title" className="card-title">
            {user.fullName}
          </h2>
          <p className="mono muted">{user.username}</p>
        </div>
        <UserBadges user={user} />
      </header>
      {done ? (
        <Alert kind="success" testId="user-done">
          {done}
        </Alert>
      ) : null}
      <dl className="kv kv--compact">
        <dt>{t('users.agency')}</dt>
        <dd>{agency ? `${agency.code} · ${agency.name}` : t('common.emptyValue')}</dd>
        <dt>{t('users.email')}</dt>
        <dd>{user.email ?? t('common.emptyValue')}</dd>
        <dt>{t('users.language')}</dt>
        <dd>{user.language === 'en' ? t('lang.enName') : t('lang.esName')}</dd>
        <dt>{t('users.mfa')}</dt>
        <dd>{user.mfaEnrolled ? t('users.mfaEnrolled') : t('users.mfaNotEnrolled')}</dd>
        <dt>{t('users.created')}</dt>
        <dd>{fmt.format(new Date(user.createdAt))}</dd>
      </dl>

      {own ? (
        <p className="muted">{t('users.ownAccount')}</p>
      ) : (
        <>
          <div className="detail-section">
            <RoleCheckboxes
              id="detail-roles"
              legend={t('users.roles')}
              roles={shownRoles}
              value={roles}
              onChange={(r) =>
                setRoles([...r, ...user.roles.filter((x) => !grantable.includes(x))].filter((x, i, a) => a.indexOf(x) === i))
              }
              error={error?.at === 'roles' ? error.message : undefined}
            />
            <button
              type="button"
              className="btn btn--primary"
              disabled={!rolesChanged || busy}
              onClick={() => ask('roles')}
              data-testid="user-save-roles"
            >
              {t('users.saveRoles')}
            </button>
          </div>

          <div className="detail-section">
            <h3 className="section-title">{t('common.actions')}</h3>
            {error?.at === 'actions' ? <Alert kind="error">{error.message}</Alert> : null}
            <div className="action-row">
              {user.locked ? (
                <button type="button" className="btn" onClick={() => ask('unlock')} data-testid="user-unlock">
                  {t('users.unlock')}
                </button>
              ) : null}
              {user.mfaEnrolled ? (
                <button type="button" className="btn" onClick={() => ask('reset-mfa')} data-testid="user-reset-mfa">
                  {t('users.resetMfa')}
                </button>
              ) : null}
              {user.disabled ? (
                <button type="button" className="btn" onClick={() => ask('enable')} data-testid="user-enable">
                  {t('users.enable')}
                </button>
              ) : (
                <button type="button" className="btn btn--danger" onClick={() => ask('disable')} data-testid="user-disable">
                  {t('users.disable')}
                </button>
              )}
            </div>
          </div>

          <form
            className="detail-section"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              ask('password');
            }}
          >
            <input type="text" name="username" autoComplete="username" value={user.username} readOnly hidden />
            <Field
              id="detail-password"
              label={t('users.newPassword')}
              error={error?.at === 'password' ? error.message : undefined}
              help={t('users.passwordHelp')}
            >
              <div className="input-with-button">
                <input
                  id="detail-password"
                  type="password"
                  autoComplete="new-password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  data-testid="user-new-password"
                  {...controlAria('detail-password', error?.at === 'password' ? error.message : undefined, true)}
                />
                <button type="submit" className="btn" data-testid="user-set-password">
                  {t('users.setPassword')}
                </button>
              </div>
            </Field>
          </form>
        </>
      )}

      <ConfirmDialog
        open={pending !== null}
        title={confirmLabel}
        confirmLabel={confirmLabel}
        danger={danger}
        busy={busy}
        onConfirm={() => void run()}
        onCancel={() => setPending(null)}
        testId="user-confirm"
      >
        <p>{pending ? t(`users.confirm.${pending}`, { username: user.username }) : null}</p>
      </ConfirmDialog>
    </section>
  );
}
