import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { base32Decode, hotp, timeStep } from '../../src/identity/totp.js';

/**
 * TOTP codes for the demo accounts of a running server, read from its database. The server
 * accepts a code once per 30 s step and user (RFC 6238 §5.2), within one step of drift either
 * way; so a script that logs in more than once needs the account's last used step, which only the
 * database has (`npm run cli -- demo code` prints the current step's code, which fails when that
 * step was just used). The connection is opened for one read and closed at once: the crash test
 * must not hold the database open across the server's death.
 */
export type DbTarget = { databaseUrl?: string; dataDir: string };

type MfaRow = { secret: string; lastStep: number | null; isDemo: boolean };

async function readMfa(target: DbTarget, username: string): Promise<MfaRow> {
  const sqlText = 'select mfa_secret as secret, mfa_last_step as "lastStep", is_demo as "isDemo" from app_user where username = ';
  let row: { secret: string | null; lastStep: number | string | null; isDemo: number | boolean } | undefined;
  if (target.databaseUrl) {
    const client = new pg.Client({ connectionString: target.databaseUrl });
    await client.connect();
    try {
      row = (await client.query(`${sqlText}$1`, [username])).rows[0];
    } finally {
      await client.end();
    }
  } else {
    const file = path.join(target.dataDir, 'openc5.sqlite');
    // Never create an empty database beside the real one when the directory is wrong.
    if (!fs.existsSync(file)) throw new Error(`no OpenC5 database at ${file} (give the server's DATA_DIR or DATABASE_URL)`);
    const db = new SQLite(file, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      row = db.prepare(`${sqlText}?`).get(username) as typeof row;
    } finally {
      db.close();
    }
  }
  if (!row?.secret) throw new Error(`«${username}» has no TOTP secret in this database`);
  return { secret: row.secret, lastStep: row.lastStep === null ? null : Number(row.lastStep), isDemo: !!row.isDemo };
}

/**
 * A code the server will accept now for a demo account: the earliest step of the drift window
 * (now − 1, now, now + 1) after the last one used, waiting for the next step when all three are
 * spent. Refuses non-demo accounts: reading a real user's secret is not what this is for.
 */
export async function nextDemoCode(target: DbTarget, username: string): Promise<string> {
  for (;;) {
    const { secret, lastStep, isDemo } = await readMfa(target, username);
    if (!isDemo) throw new Error(`«${username}» is not a demo account`);
    const now = timeStep(Date.now());
    // The current step first: a code of the previous one expires if the clock ticks before the server checks it.
    const step = [now, now + 1].find((s) => lastStep === null || s > lastStep);
    if (step !== undefined) return hotp(base32Decode(secret), step);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
