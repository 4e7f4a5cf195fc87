import { useTranslation } from 'react-i18next';
import type { User } from '../api.js';

/** Account status at a glance: disabled, locked, 2FA pending, demo. */
export function UserBadges({ user }: { user: User }) {
  const { t } = useTranslation();
  const badges: { key: string; cls: string }[] = [];
  if (user.disabled) badges.push({ key: 'disabled', cls: 'badge--danger' });
  if (user.locked) badges.push({ key: 'locked', cls: 'badge--warning' });
  if (!user.disabled && !user.locked) badges.push({ key: 'active', cls: 'badge--ok' });
  if (!user.mfaEnrolled) badges.push({ key: 'mfaPending', cls: 'badge--info' });
  if (user.isDemo) badges.push({ key: 'demo', cls: 'badge--muted' });
  return (
    <span className="badges">
      {badges.map((b) => (
        <span key={b.key} className={`badge ${b.cls}`} data-status={b.key}>
          {t(`users.badge.${b.key}`)}
        </span>
      ))}
    </span>
  );
}
