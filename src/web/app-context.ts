import { createContext, useContext } from 'react';
import type { Language, Platform, Session } from './api.js';

/** What every page may need from the app: the platform, the session and the app-wide actions. */
export type AppServices = {
  platform: Platform | null;
  session: Session | null;
  changeLanguage: (lang: Language) => Promise<void>;
  signOut: (opts: { everywhere: boolean }) => Promise<void>;
  /** Back to the login page with a notice (idle timeout, expired session). */
  endSession: (notice: string | null) => void;
};

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('AppContext missing');
  return ctx;
}

/** The signed-in session; only for components under the app shell. */
export function useSession(): Session {
  const s = useApp().session;
  if (!s) throw new Error('no session');
  return s;
}
