import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app.js';
import { percentile } from '../../src/dispatch/metrics.service.js';
import { dialects } from '../support/dialects.js';
import { as, login, startPlatform, type Session } from '../support/platform.js';

describe('percentile (nearest rank)', () => {
  it('matches the NFPA "90 % of calls within" reading', () => {
    const v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 90)).toBe(90);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([], 90)).toBeNull();
  });
});

for (const dialect of dialects()) {
  describe(`métricas del 911 (${dialect.name})`, () => {
    let p: Platform;
    let operador: Session;
    let analista: Session;
    const day = '2025-03-10';

    beforeAll(async () => {
      p = await startPlatform(dialect);
      operador = await login(p, 'operador');
      analista = await login(p, 'analista');
      // Ten incidents whose creation → first dispatch takes 10, 20, … 100 s; each from a call answered 30 s before creation.
      for (let k = 1; k <= 10; k++) {
        const call = await as(p, operador)(
          'POST',
          '/api/dispatch/calls',
          { ani: `55000000${k}` },
          { 'idempotency-key': crypto.randomUUID() },
        );
        const inc = await as(p, operador)(
          'POST',
          '/api/dispatch/incidents',
          { callId: call.json().id, typeCode: k % 2 ? '10101' : '30101', location: { lat: 19.4326, lon: -99.1332 } },
          { 'idempotency-key': crypto.randomUUID() },
        );
        const created = new Date(`${day}T12:00:00.000Z`).getTime() + k * 600_000;
        await p.handle.db
          .updateTable('incident')
          .set({
            createdAt: new Date(created).toISOString(),
            firstDispatchedAt: new Date(created + k * 10_000).toISOString(),
            firstArrivedAt: new Date(created + k * 10_000 + 300_000).toISOString(),
          })
          .where('id', '=', inc.json().id)
          .execute();
        await p.handle.db
          .updateTable('dispatchCall')
          .set({ receivedAt: new Date(created - 40_000).toISOString(), answeredAt: new Date(created - 30_000).toISOString() })
          .where('id', '=', call.json().id)
          .execute();
      }
      // Ten improper calls the same day.
      for (let k = 0; k < 10; k++) {
        const call = await as(p, operador)(
          'POST',
          '/api/dispatch/calls',
          { ani: `55111111${k}`, receivedAt: `${day}T15:0${k}:00.000Z` },
          { 'idempotency-key': crypto.randomUUID() },
        );
        const closed = await as(p, operador)('POST', `/api/dispatch/calls/${call.json().id}/close`, {
          outcome: 'improper',
          improperCode: '70102',
        });
        expect(closed.statusCode, closed.body).toBe(200);
      }
    });
    afterAll(async () => p?.close());

    it('reports calls, the improper share and p50/p90 of each interval against its target', async () => {
      const r = await as(p, analista)('GET', `/api/dispatch/metrics?from=${day}&to=${day}&groupBy=centre`);
      expect(r.statusCode, r.body).toBe(200);
      const m = r.json();
      expect(m.overall).toMatchObject({ calls: 20, improperCalls: 10, improperShare: 0.5, incidents: 10 });
      expect(m.overall.createToDispatch).toEqual({ n: 10, p50: 50, p90: 90, withinTarget: 0.6 });
      expect(m.overall.answerToCreate).toMatchObject({ n: 10, p50: 30, p90: 30, withinTarget: 1 });
      expect(m.overall.dispatchToArrival).toMatchObject({ p50: 300, withinTarget: 0 });
      expect(m.overall.total).toMatchObject({ p50: 40 + 50 + 300, p90: 40 + 90 + 300 });
      expect(m.groups[0].key.centreName).toMatch(/C5/);
      expect(m.daily).toEqual([{ date: day, calls: 20, improperCalls: 10, incidents: 10, createToDispatchP90: 90 }]);
      const byPriority = (await as(p, analista)('GET', `/api/dispatch/metrics?from=${day}&to=${day}&groupBy=priority`)).json();
      expect(byPriority.groups.map((g: { key: { priority?: string } }) => g.key.priority).sort()).toEqual(
        ['ALTA', 'MEDIA', undefined].sort(),
      );
    });

    it('exports the same figures as CSV', async () => {
      const csv = await as(p, analista)('GET', `/api/dispatch/metrics.csv?from=${day}&to=${day}&groupBy=municipality`);
      expect(csv.headers['content-type']).toContain('text/csv');
      const lines = csv.body.trim().split('\n');
      expect(lines[0]).toMatch(/^centro,municipio_clave,municipio,prioridad,llamadas,improcedentes/);
      expect(lines.at(-1)).toMatch(/^TOTAL,,,,20,10,0.5,10,/);
    });

    it('refuses a bad period and other states’ staff see none of it', async () => {
      const bad = await as(p, analista)('GET', `/api/dispatch/metrics?from=2025-03-11&to=2025-03-10`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 'validation', field: 'to' });
      expect((await as(p, analista)('GET', `/api/dispatch/metrics?from=2024-01-01&to=2025-03-10`)).json().error.field).toBe('from');
      expect((await as(p, operador)('GET', `/api/dispatch/metrics?from=${day}&to=${day}`)).statusCode).toBe(403);
    });
  });
}
