import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, verifyAudit, type AuditVerification } from '../api.js';
import { Alert } from '../ui/alert.js';

export type Verification = { result: AuditVerification } | { error: string };

/** Asks the server to recompute the hash chain of the log. */
export function VerifyButton({ onResult }: { onResult: (v: Verification | null) => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    onResult(null);
    try {
      onResult({ result: await verifyAudit() });
    } catch (err) {
      onResult({ error: err instanceof ApiError ? err.message : t('common.unexpectedError') });
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" className="btn" onClick={() => void run()} disabled={busy} data-testid="audit-verify">
      {busy ? t('audit.verifying') : t('audit.verify')}
    </button>
  );
}

/** Whether the log is intact, with the head hash to write down or compare. */
export function VerifyResult({ value, onClose }: { value: Verification; onClose: () => void }) {
  const { t } = useTranslation();
  if ('error' in value) return <Alert kind="error">{value.error}</Alert>;
  const r = value.result;
  return (
    <div data-testid="audit-verify-result" data-ok={r.ok ? 'true' : 'false'}>
      <Alert kind={r.ok ? 'success' : 'error'} onClose={onClose} closeLabel={t('common.close')}>
        <strong>
          {r.ok
            ? r.entries === 0
              ? t('audit.verifyOkEmpty')
              : t('audit.verifyOk', { entries: r.entries, seq: r.seq ?? r.entries })
            : t('audit.verifyFailed', { entries: r.entries })}
        </strong>
        {r.problem ? <div>{t('audit.verifyProblem', { problem: r.problem })}</div> : null}
        {r.headHash ? (
          <div className="verify-hash">
            {t('audit.verifyHash')}: <code>{r.headHash}</code>
          </div>
        ) : null}
      </Alert>
    </div>
  );
}
