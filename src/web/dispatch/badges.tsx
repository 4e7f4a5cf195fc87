import { useTranslation } from 'react-i18next';
import type { IncidentStatus, Priority, UnitStatus } from '../api.js';

/** ALTA / MEDIA / BAJA in their colours (red, orange, yellow), with the word: colour is never the only cue. */
export function PriorityBadge({ priority }: { priority: Priority }) {
  const { t } = useTranslation();
  return (
    <span className={`prio prio--${priority}`} data-priority={priority}>
      {t(`dispatch.priority.${priority}`)}
    </span>
  );
}

export function IncidentStatusBadge({ status }: { status: IncidentStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`istatus istatus--${status}`} data-status={status}>
      {t(`dispatch.incidentStatus.${status}`)}
    </span>
  );
}

export function UnitStatusBadge({ status }: { status: UnitStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`ustatus ustatus--${status}`} data-status={status}>
      {t(`dispatch.unitStatus.${status}`)}
    </span>
  );
}
