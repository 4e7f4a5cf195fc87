/**
 * The dispatch benchmark's phase A′: the incident creations without HTTP.
 *
 * The platform runs in a child process of its own, on the database that phase A's server left
 * (stopped by then: SQLite has one writer). Each creation is what its request's handler does —
 * authenticate the session cookie, create the incident with an idempotency key — without the HTTP
 * parsing, routing, body validation and reply. `clients` loops run at a time, so that they share
 * group commits as the server's requests do, and the rounds alternate with the raw baseline. One
 * thread does all of it, as the server's one thread does: what it reaches bounds what the server
 * can reach over HTTP. A child process, so that the load generator's heap, which times the live
 * consoles next, is not the platform's.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPlatform } from '../../src/app.js';
import { createIncident } from '../../src/dispatch/dispatch.service.js';
import { authenticate } from '../../src/identity/identity.service.js';
import { loadConfig } from '../../src/platform/config.js';
import { SESSION_COOKIE } from '../../src/platform/http/server.js';
import { createClient, login } from './api-client.js';
import { incidentBody } from './dispatch-load.js';
import { nextDemoCode, type DbTarget } from './demo-mfa.js';
import { rawInserts, type Kind } from './raw-inserts.js';
import { REPO_ROOT } from './server-process.js';

export type WithoutHttpOptions = {
  kind: Kind;
  target: DbTarget;
  clients: number;
  warmupMs: number;
  roundMs: number;
  rounds: number;
  rawMs: number;
  /** The first load number (incident bodies are numbered across phases). */
  first: number;
};
export type WithoutHttpResult = { rate: number; ratios: number[]; created: number };

/** Runs the phase in a child process; its progress goes to this process's output. */
export function withoutHttp(opts: WithoutHttpOptions): Promise<WithoutHttpResult> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(opts)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
    process.stdout.write(c);
  });
  // Bounded like every other phase: the platform's start plus the rounds, with room for a slow machine.
  const limitMs = 120_000 + opts.warmupMs + opts.rounds * (opts.roundMs + opts.rawMs) * 3;
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1);
      if (code === 0 && line) resolve(JSON.parse(line) as WithoutHttpResult);
      else {
        const why = signal === 'SIGKILL' ? `stopped after ${limitMs / 1000} s` : `exit ${code ?? signal}`;
        reject(new Error(`phase without HTTP: ${why}\n${err.slice(-2000)}`));
      }
    });
  });
}

async function run(opts: WithoutHttpOptions): Promise<WithoutHttpResult> {
  const { kind, target } = opts;
  const config = loadConfig({
    DATA_DIR: target.dataDir,
    DATABASE_URL: target.databaseUrl,
    LOG_LEVEL: 'warn',
    DEMO: 'true',
    DEMO_CRIME_RECORDS: 'false',
    ANALYSIS_PRELOAD: 'false',
    ANALYSIS_POLL_MS: '0',
  });
  const platform = await createPlatform(config, { logger: false, timers: false });
  try {
    // The session is opened as a console opens it (password, then the code, over HTTP), then used directly.
    await platform.app.listen({ port: 0, host: '127.0.0.1' });
    const address = platform.app.server.address();
    if (!address || typeof address === 'string') throw new Error('the platform has no TCP address');
    const client = createClient(`http://127.0.0.1:${address.port}`);
    const session = await login(client, 'operador', () => nextDemoCode(target, 'operador'));
    client.close();
    const token = decodeURIComponent(session.cookie.slice(`${SESSION_COOKIE}=`.length));
    const identity = { handle: platform.handle, config };
    let n = opts.first;
    let created = 0;
    let failed: unknown;
    const loop = async (ms: number) => {
      const end = performance.now() + ms;
      const worker = async () => {
        while (performance.now() < end && failed === undefined) {
          try {
            const { actor } = await authenticate(identity, token);
            await createIncident(platform.dispatch, actor, incidentBody(n++), crypto.randomUUID());
            created++;
          } catch (error) {
            failed = error;
          }
        }
      };
      const before = created;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: opts.clients }, worker));
      if (failed !== undefined) throw failed;
      return (created - before) / ((performance.now() - t0) / 1000);
    };
    await loop(opts.warmupMs);
    const rates: number[] = [];
    const ratios: number[] = [];
    for (let round = 1; round <= opts.rounds; round++) {
      process.stderr.write(`without HTTP ${round}/${opts.rounds}… `);
      const rate = await loop(opts.roundMs);
      rates.push(rate);
      ratios.push(rate / (await rawInserts(kind, target, 1, opts.rawMs)));
    }
    return { rate: rates.reduce((t, x) => t + x, 0) / rates.length, ratios, created: n - opts.first };
  } finally {
    await platform.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run(JSON.parse(process.argv[2] ?? '{}') as WithoutHttpOptions).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
