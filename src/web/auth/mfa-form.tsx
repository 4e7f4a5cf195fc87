import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { submitMfa } from '../api.js';
import { Alert } from '../ui/alert.js';
import { Field } from '../ui/field.js';
import { errorFor, formLevel, toFormError, type FormError } from '../ui/errors.js';
import { CodeInput } from './code-input.js';

type MfaFormProps = {
  title: string;
  intro?: ReactNode;
  help: string;
  onDone: () => Promise<void>;
  onStartOver: () => void;
  testId: string;
};

/** Second factor: the TOTP code. Submits by itself once the sixth digit is typed. */
export function MfaForm({ title, intro, help, onDone, onStartOver, testId }: MfaFormProps) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const lastTried = useRef<string | null>(null);

  const verify = async (value: string) => {
    if (busy) return;
    if (!/^\d{6}$/.test(value)) {
      setError({ message: t('login.codeFormat'), field: 'code' });
      inputRef.current?.focus();
      return;
    }
    lastTried.current = value;
    setBusy(true);
    setError(null);
    try {
      await submitMfa(value);
      await onDone();
    } catch (err) {
      setError(toFormError(err, t('common.unexpectedError')));
      setCode('');
      setBusy(false);
      requestAnimationFrame(() => inputRef.current?.focus());
    }
  };

  useEffect(() => {
    if (code.length === 6 && code !== lastTried.current) void verify(code);
  }, [code]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void verify(code);
  };

  const codeErr = errorFor(error, 'code');
  const general = formLevel(error, ['code']);
  return (
    <form className="form" onSubmit={submit} noValidate data-testid={testId} aria-busy={busy}>
      <h2 className="login-step-title">{title}</h2>
      {intro}
      {general ? (
        <Alert kind="error" testId="login-error">
          {general}
        </Alert>
      ) : null}
      <Field id="mfa-code" label={t('login.code')} error={codeErr} help={help}>
        <CodeInput id="mfa-code" ref={inputRef} value={code} onChange={setCode} error={codeErr} />
      </Field>
      <button type="submit" className="btn btn--primary btn--block" disabled={busy} data-testid="mfa-submit">
        {busy ? t('login.verifying') : t('login.verify')}
      </button>
      <button type="button" className="btn btn--link" onClick={onStartOver} disabled={busy} data-testid="login-start-over">
        {t('login.startOver')}
      </button>
    </form>
  );
}
