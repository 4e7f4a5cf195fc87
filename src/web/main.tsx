import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { initI18n } from './i18n.js';
import './styles.css';

// The public pages need no session: they are served without the login gate of <App />.
const PublicIndicatorsPage = lazy(() => import('./indicators/public-page.js'));
const isPublic = window.location.pathname.replace(/\/+$/, '') === '/publico/indicadores';

void initI18n().then(() => {
  const root = document.getElementById('root');
  if (!root) return;
  createRoot(root).render(
    <StrictMode>
      {isPublic ? (
        <Suspense fallback={null}>
          <PublicIndicatorsPage />
        </Suspense>
      ) : (
        <App />
      )}
    </StrictMode>,
  );
});
