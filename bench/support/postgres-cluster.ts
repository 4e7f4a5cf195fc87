import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './server-process.js';

/**
 * A throw-away PostgreSQL cluster for the benchmark, with PostgreSQL's normal durability:
 * fsync, synchronous_commit and full_page_writes on. The test cluster
 * (`test/support/postgres.ts`) turns all three off for speed, which would make a throughput
 * figure meaningless; its settings come from the command line, which `ALTER SYSTEM` cannot
 * override, hence this second starter. Same mechanics: initdb as `postgres` when we are root,
 * a free loopback port, removal afterwards.
 */
export type DurableCluster = {
  url: string;
  /** The postmaster's process id (its backends are its children), for CPU accounting. */
  pid: () => number | undefined;
  stop: () => void;
};

function findBin(name: string): string | undefined {
  const candidates = [
    ...(process.env.PG_BIN ? [path.join(process.env.PG_BIN, name)] : []),
    ...['17', '16', '15', '14'].map((v) => `/usr/lib/postgresql/${v}/bin/${name}`),
    `/usr/local/bin/${name}`,
    `/usr/bin/${name}`,
  ];
  return candidates.find((c) => fs.existsSync(c));
}

export const postgresBinaries = (): boolean => !!findBin('initdb') && !!findBin('pg_ctl');

export async function startDurableCluster(): Promise<DurableCluster> {
  const initdb = findBin('initdb');
  const pgCtl = findBin('pg_ctl');
  if (!initdb || !pgCtl) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found');
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openc5-bench-pg-'));
  const data = path.join(dir, 'data');
  const run = (bin: string, args: string[]) => {
    const cmd = asRoot ? 'su' : bin;
    const argv = asRoot ? ['postgres', '-s', '/bin/sh', '-c', [bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')] : args;
    const r = spawnSync(cmd, argv, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${path.basename(bin)} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  if (asRoot) {
    fs.chmodSync(dir, 0o755);
    execFileSync('chown', ['postgres', dir]);
  }
  // --no-sync only skips initdb's own final fsync of the template files; the server runs durable.
  run(initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  run(pgCtl, [
    '-D',
    data,
    '-l',
    path.join(dir, 'log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=200`,
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pid: () => {
      try {
        return Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      } catch {
        return undefined;
      }
    },
    stop: () => {
      try {
        run(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
