import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { initI18n } from './i18n.js';
import './styles.css';

// The public pages need no session: they are served without the login gate of <App />.
const PUBLIC_PAGES: Record<string, ReturnType<typeof lazy>> = {
  '/publico/indicadores': lazy(() => import('./indicators/public-page.js')),
  '/publico/mapa': lazy(() => import('./crime-map/public-map-page.js')),
};
const PublicPage = PUBLIC_PAGES[window.location.pathname.replace(/\/+$/, '')];

void initI18n().then(() => {
  const root = document.getElementById('root');
  if (!root) return;
  createRoot(root).render(
    <StrictMode>
      {PublicPage ? (
        <Suspense fallback={null}>
          <PublicPage />
        </Suspense>
      ) : (
        <App />
      )}
    </StrictMode>,
  );
});
