import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/database.js';
import { verifyAudit } from '../../src/identity/audit.service.js';
import { createClient, login, type ApiClient, type Session } from '../../bench/support/api-client.js';
import { nextDemoCode, type DbTarget } from '../../bench/support/demo-mfa.js';
import { startServer, type ServerProcess } from '../../bench/support/server-process.js';

/**
 * Durability of acknowledged work: the real server (a child process) is SIGKILLed in the middle of
 * a load of incident creations, restarted on the same data, and every creation it answered 201
 * must be there with its data, exactly once. This checks that the server acknowledges only after
 * the commit (the database itself is not killed: SQLite's WAL pages are in the OS cache and the
 * PostgreSQL cluster keeps running; power-loss durability is the databases' own fsync settings).
 */

type Body = { typeCode: string; location: { lat: number; lon: number; address: string }; note: string };
type Sent = { key: string; body: Body; marker: string };
type Acked = Sent & { id: string; folio: string };
type IncidentDetail = {
  id: string;
  folio: string;
  typeCode: string;
  location: { lat: number; lon: number; address: string | null };
  timeline: { kind: string; text: string | null }[];
};

const ZOCALO = { lat: 19.4326, lon: -99.1332 };
const TYPES = ['30101', '30421', '30429', '10104', '30309'];
const IN_FLIGHT = 8;
const LOAD_MS = 1500;
const MIN_ACKED = 30;
const MAX_LOAD_MS = 8000;
const folioNumber = (folio: string) => Number(folio.slice(-6));

type Target = { name: 'sqlite' | 'postgres'; db: DbTarget };

async function targets(): Promise<Target[]> {
  const out: Target[] = [{ name: 'sqlite', db: { dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'openc5-crash-')) } }];
  const url = inject('pgUrl');
  if (url) {
    const name = `crash_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(url);
    u.pathname = `/${name}`;
    out.push({ name: 'postgres', db: { databaseUrl: u.toString(), dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'openc5-crash-')) } });
  }
  return out;
}

const list = await targets();
const servers = new Set<ServerProcess>();
const clients = new Set<ApiClient>();
afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all([...servers].map((s) => s.kill()));
  for (const t of list) fs.rmSync(t.db.dataDir, { recursive: true, force: true });
});

async function boot(t: Target): Promise<{ server: ServerProcess; client: ApiClient; operador: Session }> {
  const server = await startServer({ dataDir: t.db.dataDir, databaseUrl: t.db.databaseUrl, startTimeoutMs: 60_000 });
  servers.add(server);
  const client = createClient(server.url, { maxSockets: IN_FLIGHT });
  clients.add(client);
  const operador = await login(client, 'operador', () => nextDemoCode(t.db, 'operador'));
  return { server, client, operador };
}

function bodyFor(run: string, n: number): Sent {
  const marker = `crash-${run}-${n}`;
  const jitter = () => Math.round((Math.random() - 0.5) * 0.01 * 1e6) / 1e6; // ±0.005° ≈ ±550 m
  return {
    key: crypto.randomUUID(),
    marker,
    body: {
      typeCode: TYPES[n % TYPES.length],
      location: { lat: ZOCALO.lat + jitter(), lon: ZOCALO.lon + jitter(), address: `Centro, prueba de caída ${n}` },
      note: `Marca de durabilidad ${marker}`,
    },
  };
}

const postIncident = (client: ApiClient, s: Session, sent: Sent) =>
  client.request<{ id: string; folio: string }>('POST', '/api/dispatch/incidents', {
    session: s,
    body: sent.body,
    headers: { 'idempotency-key': sent.key },
    timeoutMs: 10_000,
  });

for (const t of list)
  describe(`crash durability (${t.name})`, () => {
    it('keeps every acknowledged folio, exactly once, through a SIGKILL in the middle of a load', { timeout: 90_000 }, async () => {
      const run = crypto.randomBytes(3).toString('hex');
      const first = await boot(t);

      // ── load: IN_FLIGHT workers creating incidents back to back, until the kill ──────────────────
      const sent: Sent[] = [];
      const acked: Acked[] = [];
      const unexpected: string[] = [];
      let killed = false;
      let n = 0;
      const worker = async () => {
        while (!killed) {
          const s = bodyFor(run, n++);
          sent.push(s);
          try {
            const r = await postIncident(first.client, first.operador, s);
            // A reply read in full before the kill is an acknowledgement the caller may rely on.
            if (r.status === 201) acked.push({ ...s, id: r.body.id, folio: r.body.folio });
            else if (!killed) unexpected.push(`${r.status} ${r.text}`);
          } catch (err) {
            // After the kill, cut connections are the point; before it, any failure is a finding.
            if (!killed) unexpected.push(String(err));
          }
        }
      };
      const workers = Array.from({ length: IN_FLIGHT }, worker);
      // At least LOAD_MS of load, and enough acknowledgements to make the check mean something on
      // a slow machine (bounded: a server that acknowledges nothing fails below).
      const loadStart = Date.now();
      while (Date.now() - loadStart < LOAD_MS || (acked.length < MIN_ACKED && Date.now() - loadStart < MAX_LOAD_MS)) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const inFlight = sent.length - acked.length;
      killed = true;
      await first.server.kill();
      await Promise.allSettled(workers);
      first.client.close();
      servers.delete(first.server);
      expect(unexpected, 'failures before the kill').toEqual([]);
      expect(acked.length, 'the load produced acknowledged creations').toBeGreaterThanOrEqual(MIN_ACKED);
      expect(inFlight, 'the kill landed while requests were in flight').toBeGreaterThan(0);

      // ── restart on the same data ─────────────────────────────────────────────────────────────────
      const second = await boot(t);
      const get = (id: string) =>
        second.client.request<IncidentDetail>('GET', `/api/dispatch/incidents/${id}`, { session: second.operador });

      // Every acknowledged folio, with its type, place and note.
      const missing: string[] = [];
      for (let i = 0; i < acked.length; i += IN_FLIGHT) {
        const batch = acked.slice(i, i + IN_FLIGHT);
        const details = await Promise.all(batch.map((a) => get(a.id)));
        details.forEach((d, j) => {
          const a = batch[j];
          if (d.status !== 200) return void missing.push(a.folio);
          expect(d.body).toMatchObject({ id: a.id, folio: a.folio, typeCode: a.body.typeCode });
          expect(d.body.location).toMatchObject({ lat: a.body.location.lat, lon: a.body.location.lon, address: a.body.location.address });
          expect(d.body.timeline.find((e) => e.kind === 'note')?.text).toBe(a.body.note);
        });
      }
      expect(missing, 'acknowledged folios lost in the crash').toEqual([]);

      // A retry of an acknowledged key replays the same incident, not a second one.
      for (const a of acked.slice(0, 5)) {
        const again = await postIncident(second.client, second.operador, a);
        expect(again.status, again.text).toBe(200);
        expect(again.body).toMatchObject({ id: a.id, folio: a.folio });
      }
      // The requests cut off by the kill are retried as a client would: each lands exactly once,
      // replayed (200) if it had committed before the kill, created (201) if it had not.
      const ackedKeys = new Set(acked.map((a) => a.key));
      const unanswered = sent.filter((s) => !ackedKeys.has(s.key));
      const outcomes = { replayed: 0, created: 0 };
      for (const s of unanswered) {
        const r = await postIncident(second.client, second.operador, s);
        expect([200, 201], r.text).toContain(r.status);
        outcomes[r.status === 200 ? 'replayed' : 'created']++;
      }

      // The folio counter continues past every folio handed out; none is reused.
      const after = await postIncident(second.client, second.operador, bodyFor(run, n++));
      expect(after.status, after.text).toBe(201);
      expect(folioNumber(after.body.folio)).toBeGreaterThan(Math.max(...acked.map((a) => folioNumber(a.folio))));

      const handle = openDatabase({ databaseUrl: t.db.databaseUrl, dataDir: t.db.dataDir });
      try {
        const rows = await handle.db.selectFrom('incident').select(['folio']).execute();
        expect(new Set(rows.map((r) => r.folio)).size, 'folios are unique').toBe(rows.length);
        // Exactly once: one incident per idempotency key ever sent, plus the one made after restart.
        expect(rows.length).toBe(sent.length + 1);
        const audit = await verifyAudit(handle);
        expect(audit.ok, 'audit hash chain intact after the crash').toBe(true);
      } finally {
        await handle.close();
      }
      console.info(
        `[crash ${t.name}] ${sent.length} sent, ${acked.length} acknowledged before SIGKILL, ${inFlight} in flight at the kill ` +
          `(${outcomes.replayed} had committed, ${outcomes.created} had not); all ${acked.length} acknowledged folios found after restart`,
      );
      await second.server.stop();
      servers.delete(second.server);
    });
  });
