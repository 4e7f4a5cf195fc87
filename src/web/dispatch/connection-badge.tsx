import { useTranslation } from 'react-i18next';
import type { Connection } from './live.js';

/** Live / reconnecting: whether the board is being kept current. */
export function ConnectionBadge({ state }: { state: Connection }) {
  const { t } = useTranslation();
  return (
    <span className={`conn conn--${state}`} role="status" aria-live="polite" data-testid="conn-status" data-state={state}>
      <span className="conn-dot" aria-hidden="true" />
      {t(`dispatch.connection.${state}`)}
    </span>
  );
}
