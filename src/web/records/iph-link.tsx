import { useTranslation } from 'react-i18next';
import type { Role } from '../api.js';
import { Link } from '../router.js';

/**
 * The small "Elaborar IPH" link of an incident (dispatch's incident panel and the field
 * view): officers start (or reopen) their agency's IPH; commanders and prosecutor liaisons
 * see the incident's IPHs.
 */
export function IphLink({
  incidentId,
  roles,
  className = 'btn btn--small',
}: {
  incidentId: string;
  roles: readonly Role[];
  className?: string;
}) {
  const { t } = useTranslation();
  if (roles.includes('field_officer')) {
    return (
      <Link to={`/iph/nuevo?incidente=${incidentId}`} className={className} data-testid="iph-from-incident">
        {t('iph.fromIncident')}
      </Link>
    );
  }
  if (roles.includes('commander') || roles.includes('prosecutor_liaison')) {
    return (
      <Link to={`/iph?incidente=${incidentId}`} className={className} data-testid="iph-of-incident">
        {t('iph.ofIncident')}
      </Link>
    );
  }
  return null;
}
