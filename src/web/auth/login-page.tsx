import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LoginStage } from '../api.js';
import { useApp } from '../app-context.js';
import { LanguageSwitch } from '../shell/language-switch.js';
import { Alert } from '../ui/alert.js';
import { CredentialsForm } from './credentials-form.js';
import { EnrollStep } from './enroll-step.js';
import { MfaForm } from './mfa-form.js';

type Step = { kind: 'credentials' } | { kind: LoginStage; username: string };

/** Sign-in: credentials, then the TOTP code (or, the first time, the enrolment of an authenticator). */
export function LoginPage({ notice, onAuthenticated }: { notice: string | null; onAuthenticated: () => Promise<void> }) {
  const { t } = useTranslation();
  const { platform } = useApp();
  const [step, setStep] = useState<Step>({ kind: 'credentials' });
  const [showNotice, setShowNotice] = useState(true);
  const startOver = () => setStep({ kind: 'credentials' });

  return (
    <div className="login-page">
      <div className="login-topbar">
        <LanguageSwitch tone="dark" />
      </div>
      <main className="login-main" id="main">
        <section className="login-card" aria-labelledby="login-brand">
          <header className="login-brand">
            <span className="brand-mark" aria-hidden="true">
              C5
            </span>
            <div>
              <h1 id="login-brand">{platform?.name ?? t('common.appName')}</h1>
              <p className="login-tagline">{t('common.tagline')}</p>
            </div>
            {platform?.demo ? <span className="badge badge--demo">{t('common.demo')}</span> : null}
          </header>
          {notice && showNotice && step.kind === 'credentials' ? (
            <Alert kind="warning" testId="login-notice" onClose={() => setShowNotice(false)} closeLabel={t('common.close')}>
              {notice}
            </Alert>
          ) : null}
          {step.kind === 'credentials' ? (
            <CredentialsForm onStage={(stage, username) => setStep({ kind: stage, username })} />
          ) : step.kind === 'mfa' ? (
            <MfaForm
              title={t('login.mfaTitle')}
              intro={<p className="login-user">{step.username}</p>}
              help={t('login.mfaHelp')}
              onDone={onAuthenticated}
              onStartOver={startOver}
              testId="mfa-form"
            />
          ) : (
            <EnrollStep onDone={onAuthenticated} onStartOver={startOver} />
          )}
          {platform?.demo ? (
            <p className="login-demo-note" data-testid="demo-note">
              {t('login.demoNote')}
            </p>
          ) : null}
        </section>
        <p className="login-legal">{t('login.notice')}</p>
        {platform ? <p className="login-version">{t('common.version', { version: platform.version })}</p> : null}
      </main>
    </div>
  );
}
