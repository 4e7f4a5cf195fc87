import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, getEnrollment, type Enrollment } from '../api.js';
import { Alert } from '../ui/alert.js';
import { MfaForm } from './mfa-form.js';

/** The secret in groups of four, easier to type by hand. */
const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

/** First sign-in: enrol an authenticator app (QR or manual key), then confirm with a code. */
export function EnrollStep({ onDone, onStartOver }: { onDone: () => Promise<void>; onStartOver: () => void }) {
  const { t } = useTranslation();
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    let live = true;
    getEnrollment()
      .then((e) => live && setEnrollment(e))
      .catch((err: unknown) => live && setError(err instanceof ApiError ? err.message : t('common.unexpectedError')));
    return () => {
      live = false;
    };
  }, [t]);

  const copy = async () => {
    if (!enrollment) return;
    try {
      await navigator.clipboard.writeText(enrollment.secret);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      /* clipboard refused: the key stays visible to copy by hand */
    }
  };

  const intro = (
    <div className="enroll" data-testid="enroll-panel">
      <ol className="enroll-steps">
        <li>{t('login.enrollStep1')}</li>
        <li>{t('login.enrollStep2')}</li>
      </ol>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {!enrollment && !error ? <p className="muted">{t('login.enrollLoading')}</p> : null}
      {enrollment ? (
        <div className="enroll-qr-row">
          <img
            className="enroll-qr"
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrollment.qrSvg)}`}
            alt={t('login.qrAlt')}
            width={176}
            height={176}
            data-testid="enroll-qr"
          />
          <div className="enroll-secret">
            <span className="enroll-secret-label" id="enroll-secret-label">
              {t('login.enrollSecret')}
            </span>
            <code aria-labelledby="enroll-secret-label" data-testid="enroll-secret">
              {grouped(enrollment.secret)}
            </code>
            <button type="button" className="btn btn--small" onClick={() => void copy()}>
              {copied ? t('common.copied') : t('common.copy')}
            </button>
          </div>
        </div>
      ) : null}
      <ol className="enroll-steps" start={3}>
        <li>{t('login.enrollStep3')}</li>
      </ol>
    </div>
  );

  return (
    <MfaForm
      title={t('login.enrollTitle')}
      intro={intro}
      help={t('login.codeFormat')}
      onDone={onDone}
      onStartOver={onStartOver}
      testId="enroll-form"
    />
  );
}
