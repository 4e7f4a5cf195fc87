import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { AppError } from '../errors.js';
import { pickLanguage, t, type Language } from '../i18n/messages.js';
import type { Action } from '../../identity/access-policy.js';
import type { Authenticated } from '../../identity/identity.service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its access rule, for the access-matrix test and the docs. */
    routeTable: { method: string; url: string; access: string | undefined }[];
  }
  interface FastifyRequest {
    lang: Language;
    auth: Authenticated | null;
  }
  interface FastifyContextConfig {
    /**
     * Who may call the route: an action of the access policy, `public`, or
     * `pending` (a login half-way through MFA). A route without it is refused.
     */
    access?: Action | 'public' | 'pending';
  }
}

export type App = FastifyInstance;
export type TypedApp = ReturnType<FastifyInstance['withTypeProvider']> & FastifyInstance;

/** The services every route plugin is handed. */
export type AppContext = { config: Config; handle: Db };

/** The one error shape of the API. */
export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

export const SESSION_COOKIE = 'oc5_session';
export const LANG_COOKIE = 'oc5_lang';

const zodLocales = { es: z.locales.es(), en: z.locales.en() };

function sendError(reply: FastifyReply, lang: Language, status: number, code: string, message: string, field?: string) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify({ error: field ? { code, message, field } : { code, message } }));
}

type ValidationIssue = { keyword: string; instancePath: string; message?: string; params: Record<string, unknown> };

function localizeIssue(lang: Language, issue: ValidationIssue): string {
  const raw = { code: issue.keyword, path: issue.instancePath.split('/').filter(Boolean), message: issue.message, ...issue.params };
  const out = (zodLocales[lang].localeError as (i: unknown) => string | { message: string } | undefined)(raw);
  if (!out) return issue.message ?? issue.keyword;
  return typeof out === 'string' ? out : out.message;
}

export type BuildOptions = { logger?: boolean; webRoot?: string };

/** The HTTP server with the platform's cross-cutting rules; modules add their routes with `register`. */
export async function buildServer(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      opts.logger === false || ctx.config.logLevel === 'silent'
        ? false
        : { level: ctx.config.logLevel, redact: ['req.headers.cookie', 'req.headers["x-csrf-token"]'] },
    genReqId: () => crypto.randomUUID(),
    bodyLimit: ctx.config.bodyLimit,
    trustProxy: false,
    // Keep URL parameters of IDs and codes predictable.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const routeTable: FastifyInstance['routeTable'] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD') routeTable.push({ method, url: route.url, access: route.config?.access });
  });
  app.decorateRequest('lang', 'es');
  app.decorateRequest('auth', null);

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OpenC5 API',
        description: 'API de la plataforma OpenC5. Todas las respuestas de error tienen la forma { error: { code, message, field? } }.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  app.addHook('onRequest', async (req, reply) => {
    req.lang = pickLanguage(req.cookies[LANG_COOKIE], req.headers['accept-language']);
    reply.header('x-request-id', req.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    const lang = req.lang ?? 'es';
    if (err instanceof AppError) {
      return sendError(reply, lang, err.status, err.code, t(lang, err.messageKey, err.params), err.field);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issue = err.validation[0] as unknown as ValidationIssue;
      const where = err.validationContext === 'querystring' ? 'query' : err.validationContext;
      const pathPart = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
      const unknownKeys = issue.keyword === 'unrecognized_keys' ? (issue.params.keys as string[] | undefined) : undefined;
      const field = unknownKeys?.length ? unknownKeys[0] : pathPart || where || 'body';
      return sendError(reply, lang, 400, 'validation', t(lang, 'error.validation', { field, detail: localizeIssue(lang, issue) }), field);
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err }, 'response did not match its schema');
      return sendError(reply, lang, 500, 'internal', t(lang, 'error.internal', { requestId: req.id }));
    }
    const e = err as { code?: string; statusCode?: number; message?: string };
    if (
      e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
      e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
      (e.statusCode === 400 && /JSON/.test(e.message ?? ''))
    ) {
      return sendError(reply, lang, 400, 'malformed_json', t(lang, 'error.malformed_json'), 'body');
    }
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, lang, 413, 'body_too_large', t(lang, 'error.body_too_large', { limit: ctx.config.bodyLimit }), 'body');
    }
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(reply, lang, 415, 'unsupported_media_type', t(lang, 'error.unsupported_media_type'));
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return sendError(reply, lang, e.statusCode, 'bad_request', t(lang, 'error.validation_body', { detail: e.code ?? 'request' }));
    }
    req.log.error({ err }, 'unhandled error');
    return sendError(reply, lang, 500, 'internal', t(lang, 'error.internal', { requestId: req.id }));
  });

  const webRoot = opts.webRoot;
  const hasWeb = webRoot !== undefined && fs.existsSync(path.join(webRoot, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false, index: 'index.html', maxAge: '1h' });
  }
  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split('?')[0];
    // The web client routes on the client side: any non-API GET gets the app shell.
    // Paths with a file extension (a stale /assets/… after a rebuild) get a real 404, not the shell.
    if (hasWeb && req.method === 'GET' && !url.startsWith('/api/') && !/\.[a-z0-9]+$/i.test(url)) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return sendError(reply, req.lang, 404, 'route_not_found', t(req.lang, 'error.route_not_found', { method: req.method, url }));
  });

  return app;
}

/** Lets a route plugin use zod schemas with full typing. */
export const typed = (app: FastifyInstance) => app.withTypeProvider<ZodTypeProvider>();

export function requestContext(req: FastifyRequest) {
  return { ip: req.ip, userAgent: req.headers['user-agent'], requestId: req.id };
}
