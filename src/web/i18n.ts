import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { api, setNetworkMessage, type Language } from './api.js';
import es from './i18n/es.json' with { type: 'json' };
import en from './i18n/en.json' with { type: 'json' };

/**
 * The UI language: es-MX by default, English one click away. The choice is kept
 * in the `oc5_lang` cookie (which the server also reads to localize its error
 * messages) and, once signed in, in the user's profile.
 */
export const LANG_COOKIE = 'oc5_lang';
export const LANGUAGES: readonly Language[] = ['es', 'en'];

export function readLanguageCookie(): Language | null {
  const m = /(?:^|;\s*)oc5_lang=(es|en)(?:;|$)/.exec(document.cookie);
  return m ? (m[1] as Language) : null;
}

export function writeLanguageCookie(lang: Language): void {
  document.cookie = `${LANG_COOKIE}=${lang}; path=/; max-age=31536000; samesite=lax`;
}

export const initialLanguage = (): Language => readLanguageCookie() ?? 'es';

export const htmlLang = (lang: Language) => (lang === 'es' ? 'es-MX' : 'en');
/** The locale for dates and numbers. */
export const locale = (lang: Language) => (lang === 'es' ? 'es-MX' : 'en-US');

export function currentLanguage(): Language {
  return i18next.language === 'en' ? 'en' : 'es';
}

export async function initI18n(): Promise<void> {
  const lng = initialLanguage();
  api.setLanguage(lng);
  document.documentElement.lang = htmlLang(lng);
  await i18next.use(initReactI18next).init({
    resources: { es: { translation: es }, en: { translation: en } },
    lng,
    fallbackLng: 'es',
    supportedLngs: ['es', 'en'],
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  setNetworkMessage(() => i18next.t('common.networkError'));
}

/** Switches the UI language and remembers it in the cookie (the profile is updated by the caller when signed in). */
export async function applyLanguage(lang: Language): Promise<void> {
  writeLanguageCookie(lang);
  api.setLanguage(lang);
  document.documentElement.lang = htmlLang(lang);
  await i18next.changeLanguage(lang);
}
