import { existsSync } from 'node:fs';
import { join } from 'node:path';
import compression from 'compression';
import {
  type NextFunction,
  type Request,
  type Response,
  type Router,
  static as serveStatic,
} from 'express';
import { ErrorCode } from '../common/error-codes.js';
import type { AppConfig } from '../config/app-config.js';

/** Where the storefront lives; its router uses the same base (web/vite.config.ts). */
export const WEB_BASE = '/app';

// Vite names every file under assets/ by its content hash: a new build means new names, so a
// browser may keep them forever. index.html names the current ones: it is revalidated each time.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const SHORT = 'public, max-age=3600';

/**
 * Serves the built storefront (config.webDir) at /app/: files as they are, any other path
 * without a file extension as index.html (the app's router reads it), and `/` redirects to
 * /app/. The API's own routes are untouched; these paths are not among them. Everything goes on
 * `router`, which the app consults for these paths only (configureApp).
 */
export function serveWebApp(router: Router, config: AppConfig): void {
  const index = join(config.webDir, 'index.html');
  const built = () => existsSync(index);

  router.get('/', (_req: Request, res: Response) => {
    // Before the storefront is built, the API's documentation is the next best page.
    res.redirect(302, built() ? `${WEB_BASE}/` : '/docs');
  });

  // Scripts and styles shrink to about a third gzipped; the API's JSON answers are left as they are.
  router.use(WEB_BASE, compression());

  router.use(
    `${WEB_BASE}/`,
    serveStatic(config.webDir, {
      index: false,
      redirect: false,
      dotfiles: 'ignore',
      setHeaders: (res: Response, path: string) => {
        res.setHeader(
          'Cache-Control',
          path.startsWith(join(config.webDir, 'assets', '/')) ? IMMUTABLE : SHORT,
        );
      },
    }),
  );

  router.use(WEB_BASE, (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.originalUrl === WEB_BASE || req.originalUrl.startsWith(`${WEB_BASE}?`)) {
      return res.redirect(301, `${WEB_BASE}/${req.originalUrl.slice(WEB_BASE.length)}`);
    }
    // A missing file (an asset of an older build, /app/x.js) stays a 404, not the HTML page.
    const last = req.path.slice(req.path.lastIndexOf('/') + 1);
    if (last.includes('.')) return next();
    if (!built()) {
      res.status(404).json({
        statusCode: 404,
        code: ErrorCode.NotFound,
        message: 'The storefront is not built: run `npm run build` (or `npm start`)',
      });
      return;
    }
    res.setHeader('Cache-Control', REVALIDATE);
    res.sendFile(index, (error) => {
      if (error !== undefined && !res.headersSent) next(error);
    });
  });
}
