import { useTranslation } from 'react-i18next';
import type { Language } from '../api.js';
import { useApp } from '../app-context.js';
import { LANGUAGES, currentLanguage } from '../i18n.js';

/** ES | EN, one click away, on the login page and in the header. */
export function LanguageSwitch({ tone = 'light' }: { tone?: 'light' | 'dark' }) {
  const { t } = useTranslation();
  const { changeLanguage } = useApp();
  const lang = currentLanguage();
  const names: Record<Language, string> = { es: t('lang.esName'), en: t('lang.enName') };
  return (
    <div className={`lang-switch lang-switch--${tone}`} role="group" aria-label={t('lang.label')} data-testid="lang-switch">
      {LANGUAGES.map((l) => (
        <button
          key={l}
          type="button"
          lang={l === 'es' ? 'es-MX' : 'en'}
          aria-pressed={l === lang}
          title={t('lang.switchTo', { name: names[l] })}
          data-testid={`lang-${l}`}
          onClick={() => {
            if (l !== lang) void changeLanguage(l);
          }}
        >
          {t(`lang.${l}`)}
        </button>
      ))}
    </div>
  );
}
