import type { LightMyRequestResponse } from 'fastify';
import { createPlatform, type Platform } from '../../src/app.js';
import { hotp, base32Decode, timeStep, totp } from '../../src/identity/totp.js';
import { DEMO_PASSWORD } from '../../src/identity/demo-organisation.js';
import type { Dialect } from './dialects.js';
import { testConfig } from './dialects.js';

export type Session = { cookie: string; csrf: string; username: string };

export async function startPlatform(dialect: Dialect, env: Record<string, string> = {}): Promise<Platform> {
  const handle = await dialect.open();
  const p = await createPlatform(testConfig(env), { logger: false, handle, webRoot: '/nonexistent', timers: false });
  const close = p.close;
  return { ...p, close: async () => (await close(), await handle.close()) };
}

export function cookieFrom(res: LightMyRequestResponse): string {
  const set = res.cookies.find((c) => c.name === 'oc5_session');
  if (!set) throw new Error(`no session cookie in ${res.statusCode} ${res.body}`);
  return `oc5_session=${set.value}`;
}

/** A TOTP code the server will accept now: the earliest step in the drift window not yet used. */
export async function nextCode(p: Platform, username: string): Promise<string> {
  const user = await p.handle.db
    .selectFrom('appUser')
    .select(['mfaSecret', 'mfaLastStep'])
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  for (;;) {
    const now = timeStep(Date.now());
    const last = user.mfaLastStep === null ? -Infinity : Number(user.mfaLastStep);
    // The current step first: a code of the previous one expires if the clock ticks before the server checks it.
    const step = [now, now + 1].find((s) => s > last);
    if (step !== undefined) return hotp(base32Decode(user.mfaSecret!), step);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Logs a demo (or any enrolled) user in through the real two-step API. */
export async function login(p: Platform, username: string, password = DEMO_PASSWORD): Promise<Session> {
  const r1 = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (r1.statusCode !== 200) throw new Error(`login ${username}: ${r1.statusCode} ${r1.body}`);
  const cookie = cookieFrom(r1);
  const r2 = await p.app.inject({
    method: 'POST',
    url: '/api/auth/mfa',
    headers: { cookie },
    payload: { code: await nextCode(p, username) },
  });
  if (r2.statusCode !== 200) throw new Error(`mfa ${username}: ${r2.statusCode} ${r2.body}`);
  const full = cookieFrom(r2);
  const s = await p.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: full } });
  return { cookie: full, csrf: (s.json() as { csrfToken: string }).csrfToken, username };
}

/** Sends a request as a session, with the CSRF header the browser client sends. */
export function as(p: Platform, s: Session | null) {
  return (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    p.app.inject({
      method,
      url,
      payload: payload as string | object | undefined,
      headers: { ...(s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {}), ...headers },
    });
}

/** A new user's first login through the real enrolment flow (password, QR secret, first code); returns their session. */
export async function enrol(p: Platform, username: string, password: string): Promise<Session> {
  const r1 = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (r1.statusCode !== 200) throw new Error(`login ${username}: ${r1.statusCode} ${r1.body}`);
  const pending = cookieFrom(r1);
  const secret = (await p.app.inject({ method: 'GET', url: '/api/auth/enrollment', headers: { cookie: pending } })).json().secret as string;
  const r2 = await p.app.inject({ method: 'POST', url: '/api/auth/mfa', headers: { cookie: pending }, payload: { code: totp(secret) } });
  if (r2.statusCode !== 200) throw new Error(`enrol ${username}: ${r2.statusCode} ${r2.body}`);
  const cookie = cookieFrom(r2);
  const csrf = (await p.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().csrfToken as string;
  return { cookie, csrf, username };
}
