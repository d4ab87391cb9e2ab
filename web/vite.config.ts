import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API serves the built app at /app/ (dist/ here); `npm run dev:web` serves it on Vite's
// dev server, which forwards API calls to the API on port 3000.
const api = process.env.VITE_DEV_API ?? 'http://localhost:3000';
const apiPaths = [
  '/register',
  '/login',
  '/me',
  '/products',
  '/purchase',
  '/purchases',
  '/mypurchases',
  '/download',
  '/files',
  '/creator',
  '/checkout',
];

export default defineConfig({
  base: '/app/',
  plugins: [react()],
  resolve: {
    alias: {
      '@creator-files/client': new URL('../client/src/index.ts', import.meta.url).pathname,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The API sends a CSP without 'unsafe-inline' scripts: keep every script a file.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
  server: {
    proxy: Object.fromEntries(apiPaths.map((path) => [path, api])),
  },
});
