import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForHealth } from './api-client.js';

/**
 * The real server as a child process (`node --import tsx src/main.ts`, what `npm start` runs
 * after its web-build check), so that a test can SIGKILL it and a benchmark measures it on its
 * own event loop, apart from the load generator's.
 */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type ServerOptions = {
  dataDir: string;
  databaseUrl?: string;
  logLevel?: string;
  /** How long the first start (migrations, geography, demo organisation) may take. */
  startTimeoutMs?: number;
};

export type ServerProcess = {
  url: string;
  port: number;
  pid: number;
  /** What the process printed (stdout and stderr), for failure messages. */
  output: () => string;
  /** Resolves when the process has exited, whatever the cause. */
  exited: Promise<void>;
  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  kill: () => Promise<void>;
  /** SIGTERM (the server closes cleanly), then SIGKILL after 5 s. */
  stop: () => Promise<void>;
};

/** A free loopback port: PORT=0 would make the server pick one, but it is not reliably printed. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
// Whatever happens to the parent (a failed assertion, an exception, Ctrl+C), no server outlives it.
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export async function startServer(opts: ServerOptions): Promise<ServerProcess> {
  const port = await freePort();
  // A minimal environment: an inherited DATABASE_URL or PORT from the developer's shell must not
  // point the server somewhere else.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    DATA_DIR: opts.dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: opts.logLevel ?? 'warn',
    DEMO: 'true',
    // The demo crime import would run in the background for the first half minute and weigh on what is measured.
    DEMO_CRIME_RECORDS: 'false',
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
  };
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server under load.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(REPO_ROOT, 'src/main.ts')], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = `server exited (code ${code}, signal ${signal})`;
      live.delete(child);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const signal = async (sig: NodeJS.Signals, graceMs: number) => {
    if (exitInfo) return;
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForHealth(url, opts.startTimeoutMs ?? 60_000, () => exitInfo && `${exitInfo} before answering:\n${out}`);
  } catch (err) {
    await signal('SIGKILL', 0);
    throw err;
  }
  return {
    url,
    port,
    pid: child.pid!,
    output: () => out,
    exited,
    kill: () => signal('SIGKILL', 0),
    stop: () => signal('SIGTERM', 5000),
  };
}
