import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** The API server the dev server proxies to (OPENC5_API overrides it). */
const api = process.env.OPENC5_API ?? 'http://127.0.0.1:8080';

/**
 * The browser client: Vite root is src/web, the production build goes to
 * dist/web (served by the API server), and the dev server proxies /api to the
 * API server on 127.0.0.1:8080.
 */
export default defineConfig({
  root: 'src/web',
  plugins: [react()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    // maplibre-gl is one large chunk by design; it is loaded lazily after login.
    chunkSizeWarningLimit: 1400,
    sourcemap: true,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api/': { target: api, changeOrigin: false } },
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    proxy: { '/api/': { target: api, changeOrigin: false } },
  },
});
