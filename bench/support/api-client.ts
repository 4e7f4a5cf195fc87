import http from 'node:http';
import { DEMO_PASSWORD } from '../../src/identity/demo-organisation.js';

/**
 * A small HTTP client for a running OpenC5 server, shared by the dispatch benchmark, the crash
 * test and the demo simulator. It speaks plain `node:http` over a keep-alive agent rather than
 * `fetch`: on a 2-core machine the load generator shares the CPU with the server, and
 * `node:http` costs the client a good deal less per request than undici's `fetch`.
 */

export type Session = { username: string; cookie: string; csrf: string };

/** `cookie` is the session cookie the answer set, if any (login steps). */
export type Reply<T> = { status: number; body: T; text: string; cookie?: string };

export type RequestOptions = {
  session?: Session | null;
  body?: unknown;
  headers?: Record<string, string>;
  /** Abandon the request after this long (the socket is destroyed); default 30 s. */
  timeoutMs?: number;
  /** Keep the body as text even when it is JSON (a load generator reading megabytes need not parse them). */
  raw?: boolean;
};

export type ApiClient = {
  base: URL;
  agent: http.Agent;
  request: <T = unknown>(method: string, path: string, opts?: RequestOptions) => Promise<Reply<T>>;
  close: () => void;
};

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${text.slice(0, 300)}`);
  }
}

export function createClient(baseUrl: string, opts: { maxSockets?: number } = {}): ApiClient {
  const base = new URL(baseUrl);
  if (base.protocol !== 'http:') throw new Error(`only http:// is supported here (${baseUrl})`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 32 });
  const request = <T>(method: string, path: string, o: RequestOptions = {}): Promise<Reply<T>> =>
    new Promise((resolve, reject) => {
      const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
      const headers: Record<string, string> = { accept: 'application/json', ...o.headers };
      if (payload) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(payload.length);
      }
      if (o.session) {
        headers.cookie = o.session.cookie;
        headers['x-csrf-token'] = o.session.csrf;
      }
      const req = http.request({ agent, host: base.hostname, port: base.port || 80, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          if (!o.raw && (res.headers['content-type'] ?? '').includes('json') && text) {
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
          }
          const cookie = sessionCookie(res.headers['set-cookie']);
          resolve({ status: res.statusCode ?? 0, body: body as T, text, ...(cookie ? { cookie } : {}) });
        });
      });
      req.setTimeout(o.timeoutMs ?? 30_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  return { base, agent, request, close: () => agent.destroy() };
}

/** The `oc5_session=…` pair from a Set-Cookie header, ready to send back. */
export function sessionCookie(setCookie: string[] | undefined): string | undefined {
  const raw = setCookie?.find((c) => c.startsWith('oc5_session='));
  return raw?.split(';')[0];
}

/**
 * Logs in through the real two-step API (password, then TOTP), and reads the CSRF token of the
 * new session. `code` is asked for only once the password step has passed, so that a caller
 * computing the next unused TOTP step does so as late as possible.
 */
export async function login(client: ApiClient, username: string, code: () => Promise<string>, password = DEMO_PASSWORD): Promise<Session> {
  const step1 = await client.request<{ stage: string }>('POST', '/api/auth/login', { body: { username, password } });
  const pending = step1.cookie;
  if (step1.status !== 200 || !pending) throw new HttpError(step1.status, step1.text, `login ${username}`);
  const step2 = await client.request('POST', '/api/auth/mfa', { body: { code: await code() }, headers: { cookie: pending } });
  const cookie = step2.cookie;
  if (step2.status !== 200 || !cookie) throw new HttpError(step2.status, step2.text, `mfa ${username}`);
  const s = await client.request<{ csrfToken: string }>('GET', '/api/session', { headers: { cookie } });
  if (s.status !== 200) throw new HttpError(s.status, s.text, `session ${username}`);
  return { username, cookie, csrf: s.body.csrfToken };
}

/** Waits for `GET /api/health` to answer 200, polling; throws after `timeoutMs`. */
export async function waitForHealth(baseUrl: string, timeoutMs: number, gaveUp?: () => string | undefined): Promise<void> {
  const client = createClient(baseUrl, { maxSockets: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const why = gaveUp?.();
      if (why) throw new Error(why);
      try {
        const r = await client.request('GET', '/api/health', { timeoutMs: 2000 });
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${baseUrl} did not become healthy within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.close();
  }
}

export type ConsoleEvent = { id: number; kind: string; data: string; receivedAt: number };

export type LiveConsole = { close: () => void; opened: Promise<void> };

/**
 * One live console: a server-sent events connection to `/api/dispatch/events` on its own socket
 * (not the keep-alive pool), calling `onEvent` with each complete event as it arrives. The
 * payload is passed as text: parsing JSON for 300 consoles would load the client, which shares
 * the machine with the server being measured.
 */
export function openConsole(baseUrl: string, session: Session, onEvent: (e: ConsoleEvent) => void): LiveConsole {
  const base = new URL(baseUrl);
  let buffer = '';
  let opened!: () => void;
  let failed!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    opened = resolve;
    failed = reject;
  });
  const req = http.get(
    {
      host: base.hostname,
      port: base.port || 80,
      path: '/api/dispatch/events',
      agent: false,
      headers: { cookie: session.cookie, accept: 'text/event-stream' },
    },
    (res) => {
      if (res.statusCode !== 200) {
        failed(new Error(`console: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      opened();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const receivedAt = Date.now();
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let id = -1;
          let kind = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) id = Number(line.slice(4));
            else if (line.startsWith('event: ')) kind = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (id >= 0) onEvent({ id, kind, data, receivedAt });
        }
      });
      res.on('error', () => {});
    },
  );
  req.on('error', (err) => failed(err));
  return { opened: ready, close: () => req.destroy() };
}
