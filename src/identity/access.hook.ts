import type { FastifyInstance } from 'fastify';
import { AppError, forbidden } from '../platform/errors.js';
import { SESSION_COOKIE, requestContext, type AppContext } from '../platform/http/server.js';
import { canPerform } from './access-policy.js';
import { appendAudit } from './audit.service.js';
import { authenticate } from './identity.service.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Deny by default: every API route must name its access in `config.access`;
 * one without it is refused. Runs before body validation so that the order of
 * answers is 401 → 403 → 400 → 404.
 */
export function registerAccessHook(app: FastifyInstance, ctx: AppContext): void {
  const deps = { handle: ctx.handle, config: ctx.config };
  app.addHook('preValidation', async (req) => {
    const url = req.url.split('?')[0];
    if (!url.startsWith('/api/')) return;
    const access = req.routeOptions.config?.access;
    if (url.startsWith('/api/docs')) return;
    if (access === 'public' || access === 'pending') return;
    if (access === undefined) {
      // Unknown routes fall through to the 404 handler; known routes without a rule are refused.
      if (!req.routeOptions.url) return;
      throw forbidden();
    }
    const auth = await authenticate(deps, req.cookies[SESSION_COOKIE]);
    req.auth = auth;
    if (!SAFE_METHODS.has(req.method) && req.headers['x-csrf-token'] !== auth.csrfToken) {
      throw new AppError(403, 'csrf', 'error.csrf');
    }
    if (!canPerform(auth.actor, access)) {
      await appendAudit(ctx.handle, auth.actor, {
        action: access,
        outcome: 'denied',
        targetType: 'route',
        targetId: `${req.method} ${req.routeOptions.url}`,
        ...requestContext(req),
      });
      throw forbidden();
    }
  });
}
