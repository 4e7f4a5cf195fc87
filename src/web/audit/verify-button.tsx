import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, verifyAudit, type AuditVerification } from '../api.js';
import { Alert } from '../ui/alert.js';

/** Recomputes the hash chain on the server and says whether the log is intact. */
export function VerifyButton() {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<AuditVerification | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await verifyAudit());
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" className="btn" onClick={() => void run()} disabled={busy} data-testid="audit-verify">
        {busy ? t('audit.verifying') : t('audit.verify')}
      </button>
      <div className="verify-result">
        {error ? <Alert kind="error">{error}</Alert> : null}
        {result ? (
          <div data-testid="audit-verify-result" data-ok={result.ok ? 'true' : 'false'}>
            <Alert kind={result.ok ? 'success' : 'error'} onClose={() => setResult(null)} closeLabel={t('common.close')}>
              <strong>
                {result.ok
                  ? result.entries === 0
                    ? t('audit.verifyOkEmpty')
                    : t('audit.verifyOk', { entries: result.entries, seq: result.seq ?? result.entries })
                  : t('audit.verifyFailed', { entries: result.entries })}
              </strong>
              {result.problem ? <div>{t('audit.verifyProblem', { problem: result.problem })}</div> : null}
              {result.headHash ? (
                <div className="verify-hash">
                  {t('audit.verifyHash')}: <code>{result.headHash}</code>
                </div>
              ) : null}
            </Alert>
          </div>
        ) : null}
      </div>
    </>
  );
}
