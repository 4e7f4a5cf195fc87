import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { login, type LoginStage } from '../api.js';
import { Alert } from '../ui/alert.js';
import { Field, controlAria } from '../ui/field.js';
import { errorFor, formLevel, toFormError, type FormError } from '../ui/errors.js';

const FIELDS = ['username', 'password'] as const;

/** First factor: user name and password. */
export function CredentialsForm({ onStage }: { onStage: (stage: LoginStage, username: string) => void }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [capsLock, setCapsLock] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const userRef = useRef<HTMLInputElement>(null);
  const passRef = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!username.trim()) {
      setError({ message: t('common.required'), field: 'username' });
      userRef.current?.focus();
      return;
    }
    if (!password) {
      setError({ message: t('common.required'), field: 'password' });
      passRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { stage } = await login(username.trim(), password);
      onStage(stage, username.trim());
    } catch (err) {
      const fe = toFormError(err, t('common.unexpectedError'));
      setError(fe);
      setPassword('');
      if (fe.field === 'username') userRef.current?.focus();
      else passRef.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => setCapsLock(e.getModifierState('CapsLock'));
  const userErr = errorFor(error, 'username');
  const passErr = errorFor(error, 'password');
  const general = formLevel(error, FIELDS);

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="login-form" aria-busy={busy}>
      <h2 className="login-step-title">{t('login.title')}</h2>
      {general ? (
        <Alert kind="error" testId="login-error">
          {general}
        </Alert>
      ) : null}
      <Field id="login-username" label={t('login.username')} error={userErr}>
        <input
          id="login-username"
          ref={userRef}
          name="username"
          type="text"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          data-testid="login-username"
          {...controlAria('login-username', userErr)}
        />
      </Field>
      <Field id="login-password" label={t('login.password')} error={passErr}>
        <div className="input-with-button">
          <input
            id="login-password"
            ref={passRef}
            name="password"
            type={showPassword ? 'text' : 'password'}
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            onKeyUp={onKey}
            onKeyDown={onKey}
            data-testid="login-password"
            {...controlAria('login-password', passErr)}
          />
          <button
            type="button"
            className="btn btn--ghost"
            aria-pressed={showPassword}
            aria-label={showPassword ? t('login.hidePassword') : t('login.showPassword')}
            onClick={() => setShowPassword((v) => !v)}
          >
            {showPassword ? t('common.hide') : t('common.show')}
          </button>
        </div>
      </Field>
      {capsLock ? (
        <p className="field-warning" role="status">
          {t('login.capsLock')}
        </p>
      ) : null}
      <button type="submit" className="btn btn--primary btn--block" disabled={busy} data-testid="login-submit">
        {busy ? t('login.submitting') : t('login.submit')}
      </button>
    </form>
  );
}
