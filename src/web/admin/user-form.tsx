import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { createUser, type Agency, type Language, type Role, type User } from '../api.js';
import { currentLanguage } from '../i18n.js';
import { Alert } from '../ui/alert.js';
import { Field, controlAria } from '../ui/field.js';
import { errorFor, formLevel, toFormError, type FormError } from '../ui/errors.js';
import { RoleCheckboxes } from './role-checkboxes.js';

const FIELDS = ['agencyId', 'username', 'fullName', 'email', 'password', 'roles', 'language'] as const;

type UserFormProps = {
  agencies: Agency[];
  grantable: readonly Role[];
  defaultAgencyId: string;
  onCreated: (u: User) => void;
  onCancel: () => void;
};

/** New user: agency, identity, initial password and roles (2FA is enrolled at the first sign-in). */
export function UserForm({ agencies, grantable, defaultAgencyId, onCreated, onCancel }: UserFormProps) {
  const { t } = useTranslation();
  const [agencyId, setAgencyId] = useState(agencies.some((a) => a.id === defaultAgencyId) ? defaultAgencyId : (agencies[0]?.id ?? ''));
  const [username, setUsername] = useState('');
  const [fullName, setFullName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [language, setLanguage] = useState<Language>(currentLanguage());
  const [roles, setRoles] = useState<Role[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const missing = !agencyId ? 'agencyId' : !username.trim() ? 'username' : !fullName.trim() ? 'fullName' : !password ? 'password' : null;
    if (missing) {
      setError({ message: t('common.required'), field: missing });
      document.getElementById(`user-${missing}`)?.focus();
      return;
    }
    if (roles.length === 0) {
      setError({ message: t('users.rolesHelp'), field: 'roles' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const u = await createUser({
        agencyId,
        username: username.trim(),
        fullName: fullName.trim(),
        email: email.trim() || null,
        password,
        roles,
        language,
      });
      onCreated(u);
    } catch (err) {
      const fe = toFormError(err, t('common.unexpectedError'));
      setError(fe);
      if (fe.field) document.getElementById(`user-${fe.field}`)?.focus();
    } finally {
      setBusy(false);
    }
  };

  const err = (f: string) => errorFor(error, f);
  const general = formLevel(error, FIELDS);
  return (
    <form className="card form form--grid" onSubmit={submit} noValidate data-testid="user-form" aria-labelledby="user-form-title">
      <h2 id="user-form-title" className="card-title form-span">
        {t('users.new')}
      </h2>
      {general ? (
        <div className="form-span">
          <Alert kind="error">{general}</Alert>
        </div>
      ) : null}
      <Field id="user-agencyId" label={t('users.agency')} error={err('agencyId')} className="form-span-2">
        <select
          id="user-agencyId"
          value={agencyId}
          onChange={(e) => setAgencyId(e.target.value)}
          data-testid="user-agency"
          {...controlAria('user-agencyId', err('agencyId'))}
        >
          {agencies.map((a) => (
            <option key={a.id} value={a.id}>
              {a.code} · {a.name}
            </option>
          ))}
        </select>
      </Field>
      <Field id="user-language" label={t('users.language')} error={err('language')}>
        <select
          id="user-language"
          value={language}
          onChange={(e) => setLanguage(e.target.value === 'en' ? 'en' : 'es')}
          data-testid="user-language"
        >
          <option value="es">{t('lang.esName')}</option>
          <option value="en">{t('lang.enName')}</option>
        </select>
      </Field>
      <Field id="user-username" label={t('users.username')} error={err('username')} help={t('users.usernameHelp')}>
        <input
          id="user-username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          data-testid="user-username"
          {...controlAria('user-username', err('username'), true)}
        />
      </Field>
      <Field id="user-fullName" label={t('users.fullName')} error={err('fullName')}>
        <input
          id="user-fullName"
          value={fullName}
          onChange={(e) => setFullName(e.target.value)}
          autoComplete="off"
          data-testid="user-fullname"
          {...controlAria('user-fullName', err('fullName'))}
        />
      </Field>
      <Field
        id="user-email"
        label={
          <>
            {t('users.email')} <span className="muted">{t('users.optional')}</span>
          </>
        }
        error={err('email')}
      >
        <input
          id="user-email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          autoComplete="off"
          data-testid="user-email"
          {...controlAria('user-email', err('email'))}
        />
      </Field>
      <Field id="user-password" label={t('users.password')} error={err('password')} help={t('users.passwordHelp')} className="form-span">
        <input
          id="user-password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          data-testid="user-password"
          {...controlAria('user-password', err('password'), true)}
        />
      </Field>
      <div className="form-span">
        <RoleCheckboxes
          id="user-roles"
          legend={t('users.roles')}
          roles={grantable}
          value={roles}
          onChange={setRoles}
          error={err('roles')}
          help={t('users.rolesHelp')}
        />
      </div>
      <div className="form-actions form-span">
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="user-submit">
          {busy ? t('users.creating') : t('users.create')}
        </button>
      </div>
    </form>
  );
}
