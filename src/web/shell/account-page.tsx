import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { changeOwnPassword } from '../api.js';
import { useApp, useSession } from '../app-context.js';
import { currentLanguage, locale } from '../i18n.js';
import { Alert } from '../ui/alert.js';
import { Field, controlAria } from '../ui/field.js';
import { errorFor, formLevel, toFormError, type FormError } from '../ui/errors.js';

const FIELDS = ['currentPassword', 'newPassword', 'confirmPassword'] as const;

/** The signed-in user's own account: details, password change, sign-out everywhere. */
export function AccountPage() {
  const { t } = useTranslation();
  const session = useSession();
  const { signOut } = useApp();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (!current) return setError({ message: t('common.required'), field: 'currentPassword' });
    if (!next) return setError({ message: t('common.required'), field: 'newPassword' });
    if (next !== confirm) return setError({ message: t('account.mismatch'), field: 'confirmPassword' });
    setBusy(true);
    setError(null);
    try {
      await changeOwnPassword(current, next);
      setCurrent('');
      setNext('');
      setConfirm('');
      setDone(true);
    } catch (err) {
      setError(toFormError(err, t('common.unexpectedError')));
    } finally {
      setBusy(false);
    }
  };

  const fmt = new Intl.DateTimeFormat(locale(currentLanguage()), { dateStyle: 'long', timeStyle: 'short' });
  const general = formLevel(error, FIELDS);
  return (
    <div className="page page--narrow" data-testid="account-page">
      <h1 className="page-title">{t('account.title')}</h1>
      <section className="card">
        <h2 className="card-title">{t('account.profile')}</h2>
        <dl className="kv">
          <dt>{t('users.username')}</dt>
          <dd>{session.user.username}</dd>
          <dt>{t('users.fullName')}</dt>
          <dd>{session.user.fullName}</dd>
          <dt>{t('users.agency')}</dt>
          <dd>
            {session.agency.code} · {session.agency.name}
          </dd>
          <dt>{t('users.roles')}</dt>
          <dd>
            {session.user.roles.map((r) => (
              <span key={r} className="chip">
                {t(`roles.${r}`)}
              </span>
            ))}
          </dd>
        </dl>
        <p className="muted">{t('account.expires', { at: fmt.format(new Date(session.expiresAt)) })}</p>
      </section>
      <section className="card">
        <h2 className="card-title">{t('account.changePassword')}</h2>
        <form className="form" onSubmit={submit} noValidate data-testid="password-form">
          {general ? <Alert kind="error">{general}</Alert> : null}
          {done ? <Alert kind="success">{t('account.changed')}</Alert> : null}
          <input type="text" name="username" autoComplete="username" value={session.user.username} readOnly hidden />
          <Field id="acc-current" label={t('account.currentPassword')} error={errorFor(error, 'currentPassword')}>
            <input
              id="acc-current"
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
              {...controlAria('acc-current', errorFor(error, 'currentPassword'))}
            />
          </Field>
          <Field id="acc-new" label={t('account.newPassword')} error={errorFor(error, 'newPassword')} help={t('account.passwordHelp')}>
            <input
              id="acc-new"
              type="password"
              autoComplete="new-password"
              value={next}
              onChange={(e) => setNext(e.target.value)}
              {...controlAria('acc-new', errorFor(error, 'newPassword'), true)}
            />
          </Field>
          <Field id="acc-confirm" label={t('account.confirmPassword')} error={errorFor(error, 'confirmPassword')}>
            <input
              id="acc-confirm"
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              {...controlAria('acc-confirm', errorFor(error, 'confirmPassword'))}
            />
          </Field>
          <div className="form-actions">
            <button type="submit" className="btn btn--primary" disabled={busy}>
              {busy ? t('account.changing') : t('account.changePassword')}
            </button>
          </div>
        </form>
      </section>
      <section className="card">
        <h2 className="card-title">{t('account.sessions')}</h2>
        <p>{t('account.sessionsHelp')}</p>
        <button type="button" className="btn btn--danger" onClick={() => void signOut({ everywhere: true })}>
          {t('shell.logoutAll')}
        </button>
      </section>
    </div>
  );
}
