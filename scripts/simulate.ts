/**
 * Demo simulator: a realistic stream of 9-1-1 calls against a running OpenC5 server, so that the
 * board comes alive for a visitor.
 *
 *   npm run simulate                              (http://127.0.0.1:8080, 6 calls a minute, until Ctrl+C)
 *   npm run simulate -- --rate 20 --duration 10   (20 calls a minute for 10 minutes)
 *   npm run simulate -- --help
 *
 * What it does, through the public API only, as the demo accounts of Mexico City's C5:
 * - `operador` (call taker) takes calls. About 78 % are improper (SESNSP: 16,044,138 real calls of
 *   75,222,524 in 2019, i.e. 78.7 % improper; 84 % over 2017–2019) and are closed with an improper
 *   code of the catalogue, mostly silent, incomplete and prank calls, the commonest kinds the
 *   SESNSP reports. The rest become incidents (with an Idempotency-Key, linked to the call).
 * - Locations are real: points of `src/dispatch/data/simulation-incidents.csv`, a sample of the
 *   SSP-DF geolocated crime reports of 2013–2015 (see that folder's README). Types: 70 % of real
 *   calls are security (SESNSP, first half of 2017: 70.2 %); half of those take the CNIE code of the
 *   point's own crime category, half the commonest security incidents nationally (aggressive and
 *   suspicious persons, minor crashes, family violence, alarms: SESNSP, January–September 2017).
 *   The rest are medical (20 %), civil protection (6 %) and public services (4 %), shares assumed.
 * - `despacho` (dispatcher) assigns the recommended units (`/recommendations`: the fewest units
 *   covering the type's capabilities), and reports for them: acknowledged, en route, positions
 *   along the way, on scene. A unit crewed by `policia` (P-CUH-1) reports from the officer's own
 *   session, like the field view. After a while on scene the dispatcher closes the incident with a
 *   closure code, which releases the units (available again, where they are).
 *
 * TOTP codes: the simulator reads the demo accounts' secrets from the server's database, so give it
 * the server's DATA_DIR or DATABASE_URL (the same environment variables, or --data-dir /
 * --database-url). It reads the last used 30 s step too, so it never sends a code the server would
 * refuse as reused (`npm run cli -- demo code <user>` prints only the current one).
 *
 * Ctrl+C stops taking calls, closes what this run left open (cancels pending incidents, closes the
 * others, marks calls still on the line abandoned) so the units are free again, prints a summary
 * and exits; a second Ctrl+C exits at once. --leave-open skips the wrap-up.
 */
import crypto from 'node:crypto';
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient, HttpError, login, type ApiClient, type Reply, type Session } from '../bench/support/api-client.js';
import { nextDemoCode, type DbTarget } from '../bench/support/demo-mfa.js';
import type { ClosureCode } from '../src/dispatch/closure-codes.js';

const HELP = `Uso: npm run simulate -- [opciones]

  --url URL            servidor (por omisión http://127.0.0.1:8080)
  --rate N             llamadas por minuto (por omisión 6)
  --duration MIN       minutos de simulación; 0 = hasta Ctrl+C (por omisión 0)
  --improper P         proporción de llamadas improcedentes, 0–1 (por omisión 0.78)
  --seed N             semilla para repetir la misma secuencia
  --data-dir DIR       DATA_DIR del servidor (para leer los códigos TOTP demo; por omisión $DATA_DIR o ./data)
  --database-url URL   DATABASE_URL del servidor (PostgreSQL; por omisión $DATABASE_URL)
  --leave-open         al terminar, no cerrar los incidentes abiertos por esta corrida
  --quiet              sólo el resumen de cada minuto`;

// ── options ───────────────────────────────────────────────────────────────────────────────────────

type Options = {
  url: string;
  rate: number;
  durationMin: number;
  improper: number;
  seed: number;
  db: DbTarget;
  leaveOpen: boolean;
  quiet: boolean;
};

function readOptions(): Options | null {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:8080' },
      rate: { type: 'string', default: '6' },
      duration: { type: 'string', default: '0' },
      improper: { type: 'string', default: '0.78' },
      seed: { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      'leave-open': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const num = (name: string, raw: string, min: number, max: number) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} debe ser un número entre ${min} y ${max}`);
    return n;
  };
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  return {
    url: values.url,
    rate: num('rate', values.rate, 0.1, 600),
    durationMin: num('duration', values.duration, 0, 7 * 24 * 60),
    improper: num('improper', values.improper, 0, 1),
    seed: values.seed === undefined ? crypto.randomInt(2 ** 31) : num('seed', values.seed, 0, 2 ** 31),
    db: { dataDir: path.resolve(values['data-dir'] ?? process.env.DATA_DIR ?? './data'), ...(databaseUrl ? { databaseUrl } : {}) },
    leaveOpen: values['leave-open'],
    quiet: values.quiet,
  };
}

// ── randomness and the mixes ──────────────────────────────────────────────────────────────────────

/** mulberry32: small, seedable, good enough to pick calls; `--seed` repeats a run's choices. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let random: () => number = Math.random;
const between = (lo: number, hi: number) => lo + random() * (hi - lo);
type Weighted<T> = readonly (readonly [T, number])[];
function pick<T>(items: Weighted<T>): T {
  let r = random() * items.reduce((t, [, w]) => t + w, 0);
  for (const [item, w] of items) if ((r -= w) < 0) return item;
  return items[items.length - 1][0];
}

/**
 * Improper calls by catalogue code (v3: type 7 "Mal uso del servicio" and subtype 602). The
 * weights are assumed; the order follows what SESNSP reports as the commonest: silent, incomplete,
 * other non-emergency and children's prank calls.
 */
const IMPROPER: Weighted<string> = [
  ['70104', 34], // llamada muda
  ['60202', 16], // llamada incompleta
  ['70101', 14], // broma por menores de edad
  ['70109', 12], // llamadas colgadas
  ['60204', 10], // solicitud de información
  ['70107', 6], // broma por adultos / jóvenes
  ['70106', 4], // palabras obscenas / insultos
  ['60201', 2], // llamada de prueba
  ['60205', 2], // información de incidente ya reportado
];

/** The 19 SSP-DF crime categories of the sample, to their CNIE v3 code. */
const CRIME_TYPE: Readonly<Record<string, string>> = {
  'ROBO DE VEHICULO AUTOMOTOR S.V.': '30430', // robo de vehículo particular sin violencia
  'ROBO DE VEHICULO AUTOMOTOR C.V.': '30429', // … con violencia
  'ROBO A TRANSEUNTE C.V.': '30421',
  'ROBO A TRANSEUNTE S.V.': '30422',
  'ROBO A NEGOCIO C.V.': '30419',
  'ROBO A REPARTIDOR C.V.': '30460', // v3 added codes for delivery workers
  'ROBO A REPARTIDOR S.V.': '30461',
  'LESIONES POR ARMA DE FUEGO': '10209', // lesionado por proyectil de arma de fuego (médico: ambulancia y policía)
  'HOMICIDIO DOLOSO': '30906',
  'ROBO A BORDO DE MICROBUS C.V.': '30423', // transporte público colectivo
  'ROBO A BORDO DE MICROBUS S.V.': '30424',
  'ROBO A BORDO DE METRO C.V.': '30423',
  'ROBO A BORDO DE METRO S.V.': '30424',
  'ROBO A BORDO DE TAXI C.V.': '30425', // transporte público individual
  'ROBO A CASA HABITACION C.V.': '30413',
  VIOLACION: '30707',
  'ROBO A CUENTAHABIENTE C.V.': '30458', // v3: robo a cuentahabiente y/o tarjetahabiente
  'ROBO A TRANSPORTISTA C.V.': '30427',
  'ROBO A TRANSPORTISTA S.V.': '30428',
};

/** The commonest security incidents nationally (SESNSP CNI, January–September 2017, % of security calls). */
const SECURITY_COMMON: Weighted<string> = [
  ['30907', 9.3], // persona agresiva
  ['30904', 8.6], // persona sospechosa
  ['30309', 7.3], // accidente de tránsito sin lesionados
  ['30503', 7.2], // violencia familiar
  ['30401', 6.4], // alarma activada
  ['31101', 4], // persona alcoholizada
  ['31002', 3], // amenaza
  ['30404', 3], // daño a propiedad ajena
];
const MEDICAL: Weighted<string> = [
  ['10310', 18], // urgencia por enfermedad general
  ['10204', 14], // caída
  ['10104', 12], // accidente de vehículo con lesionados
  ['10116', 8], // atropellamiento
  ['10308', 8], // persona inconsciente
  ['10306', 8], // intoxicación etílica
  ['10305', 7], // dificultad respiratoria
  ['10314', 6], // infarto / urgencia cardiológica
  ['10301', 5], // trabajo de parto
  ['10313', 3], // paro cardiorrespiratorio
  ['10103', 6], // accidente de motocicleta con lesionados
  ['10208', 5], // lesionado por arma blanca
];
const CIVIL: Weighted<string> = [
  ['20115', 30], // fuga de gas
  ['20301', 25], // incendio de casa habitación
  ['20303', 20], // incendio de vehículo
  ['20304', 10], // incendio de comercio
  ['20311', 15], // otros incendios
];
const SERVICES: Weighted<string> = [
  ['40104', 50], // fallas de semáforo
  ['40106', 30], // cables colgando
  ['40105', 20], // alcantarilla sin tapa
];
const REAL: Weighted<'security' | 'medical' | 'civil' | 'services'> = [
  ['security', 70],
  ['medical', 20],
  ['civil', 6],
  ['services', 4],
];

/** How each type of incident is closed, from the server's closed list (src/dispatch/closure-codes.ts), by type. */
const CLOSURES: Readonly<Record<string, Weighted<ClosureCode>>> = {
  '1': [
    ['TRASLADO_HOSPITAL', 55],
    ['ATENDIDO', 35],
    ['NO_LOCALIZADO', 10],
  ],
  '2': [
    ['ATENDIDO', 70],
    ['FALSA_ALARMA', 30],
  ],
  '3': [
    ['ATENDIDO', 40],
    ['REMITIDO_MP', 15],
    ['DETENIDOS', 10],
    ['SIN_NOVEDAD', 25],
    ['FALSA_ALARMA', 10],
  ],
  '4': [
    ['CANALIZADO', 80],
    ['ATENDIDO', 20],
  ],
};
// The wrap-up closes what is still on the board: the simulated units did attend it.
const WRAP_UP_CLOSURE: ClosureCode = 'ATENDIDO';

const FIRST_NAMES = ['María', 'José', 'Guadalupe', 'Juan', 'Ana', 'Luis', 'Rosa', 'Carlos', 'Verónica', 'Miguel', 'Patricia', 'Jorge'];
const NOTES: Readonly<Record<string, readonly string[]>> = {
  '1': [
    'Reporta persona lesionada; solicita ambulancia.',
    'Familiar refiere malestar súbito.',
    'Testigo en el lugar, consciente y respira.',
  ],
  '2': ['Se percibe olor a gas en la calle.', 'Humo visible desde la esquina.', 'Vecinos desalojan el inmueble.'],
  '3': [
    'Refiere que el responsable huyó a pie.',
    'Reportante a salvo, espera a la patrulla.',
    'Describe vehículo y dirección de huida.',
    'Escucha gritos en el domicilio contiguo.',
  ],
  '4': ['Riesgo para peatones y automovilistas.', 'Reporta falla desde hace una hora.'],
};

// ── the sample of real locations ──────────────────────────────────────────────────────────────────

type Point = { lat: number; lon: number; crime: string };

function loadPoints(): Point[] {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/dispatch/data/simulation-incidents.csv');
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const cols = head.split(',');
  const [iLat, iLon, iCrime] = ['lat', 'lon', 'crime'].map((c) => cols.indexOf(c));
  return lines.map((line) => {
    const f = line.split(',');
    return { lat: Number(f[iLat]), lon: Number(f[iLon]), crime: f[iCrime] };
  });
}

// ── the accounts ─────────────────────────────────────────────────────────────────────────────────

/** One logged-in demo account; logs in again when its session expires (idle or absolute limit). */
class Account {
  private session!: Session;
  constructor(
    private readonly client: ApiClient,
    private readonly db: DbTarget,
    readonly username: string,
  ) {}
  async login(): Promise<void> {
    this.session = await login(this.client, this.username, () => nextDemoCode(this.db, this.username));
  }
  async call<T>(method: string, url: string, body?: unknown, idempotent = false): Promise<T> {
    const send = () =>
      this.client.request<T>(method, url, {
        session: this.session,
        body,
        headers: idempotent ? { 'idempotency-key': crypto.randomUUID() } : {},
      });
    let r: Reply<T> = await send();
    if (r.status === 401) {
      await this.login();
      r = await send();
    }
    if (r.status >= 300) throw new HttpError(r.status, r.text, `${this.username} ${method} ${url}`);
    return r.body;
  }
}

// ── the simulation ───────────────────────────────────────────────────────────────────────────────

type Unit = { id: string; callSign: string; status: string; position: { lat: number; lon: number } | null };
type Incident = {
  id: string;
  folio: string;
  typeCode: string;
  typeName: string;
  status: string;
  location: { lat: number; lon: number; municipalityCode: string };
};
type Recommendation = { unitId: string; callSign: string; etaSeconds: number; distanceM: number };
type Board = { incidents: { status: string }[]; units: { status: string }[]; alerts: unknown[] };

class Stopped extends Error {}

const stats = { calls: 0, improper: 0, incidents: 0, dispatched: 0, closed: 0, cancelled: 0, noUnit: 0, errors: 0 };

async function main(): Promise<number> {
  const opts = readOptions();
  if (!opts) {
    console.log(HELP);
    return 0;
  }
  random = seeded(opts.seed);
  const points = loadPoints();
  const client = createClient(opts.url, { maxSockets: 16 });
  const operador = new Account(client, opts.db, 'operador');
  const despacho = new Account(client, opts.db, 'despacho');
  const policia = new Account(client, opts.db, 'policia');
  await operador.login();
  await despacho.login();
  // The field officer is optional: without them the dispatcher reports for every unit.
  const officerUnits = new Set<string>();
  try {
    await policia.login();
    for (const u of (await policia.call<{ units: Unit[] }>('GET', '/api/dispatch/units')).units) officerUnits.add(u.id);
  } catch (err) {
    console.warn(`(sin la cuenta «policia»: ${String(err)})`);
  }

  // Every code the mixes use must exist in this server's catalogue, proper or improper as meant.
  const catalogue = new Map<string, { name: string; improper: boolean }>();
  const codes = new Set([
    ...IMPROPER.map(([c]) => c),
    ...Object.values(CRIME_TYPE),
    ...[SECURITY_COMMON, MEDICAL, CIVIL, SERVICES].flatMap((l) => l.map(([c]) => c)),
  ]);
  for (const code of codes) {
    const r = await operador.call<{ entries: { code: string; name: string; improper: boolean }[] }>(
      'GET',
      `/api/dispatch/catalogue?q=${code}&limit=1`,
    );
    const e = r.entries.find((x) => x.code === code);
    if (!e) throw new Error(`el catálogo del servidor no tiene el código ${code}`);
    if (e.improper !== IMPROPER.some(([c]) => c === code)) throw new Error(`el código ${code} no es del tipo esperado`);
    catalogue.set(code, e);
  }
  const municipalities = new Map(
    (
      await despacho.call<{ municipalities: { code: string; name: string }[] }>('GET', '/api/geo/states/09/municipalities')
    ).municipalities.map((m) => [m.code, m.name]),
  );

  const stop = new AbortController();
  // Every pending sleep of every call in progress listens for the stop: dozens at a high rate.
  setMaxListeners(0, stop.signal);
  let stopping = false;
  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (stopping) return reject(new Stopped());
      const t = setTimeout(() => {
        stop.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(new Stopped());
      };
      stop.signal.addEventListener('abort', onAbort, { once: true });
    });
  const log = (line: string) => {
    if (!opts.quiet) console.log(`${new Date().toLocaleTimeString('es-MX', { hour12: false })}  ${line}`);
  };
  const failed = (what: string, err: unknown) => {
    if (err instanceof Stopped) return;
    stats.errors++;
    console.warn(`  ✗ ${what}: ${err instanceof Error ? err.message : String(err)}`);
  };

  // What this run has open, to wrap up on stop.
  const openCalls = new Set<string>();
  const openIncidents = new Map<string, Incident>();
  const tasks = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    tasks.add(p);
    void p.finally(() => tasks.delete(p));
  };

  const ani = () => `+52 55 ${String(crypto.randomInt(10_000)).padStart(4, '0')} ${String(crypto.randomInt(10_000)).padStart(4, '0')}`;

  async function improperCall(point: Point): Promise<void> {
    const code = pick(IMPROPER);
    const call = await operador.call<{ id: string }>(
      'POST',
      '/api/dispatch/calls',
      { ani: ani(), callerLocation: { lat: point.lat, lon: point.lon, uncertaintyM: Math.round(between(20, 900)) } },
      true,
    );
    stats.calls++;
    openCalls.add(call.id);
    await sleep(between(3_000, 15_000));
    await operador.call('POST', `/api/dispatch/calls/${call.id}/close`, { outcome: 'improper', improperCode: code });
    openCalls.delete(call.id);
    stats.improper++;
    log(`llamada improcedente  ${code} ${catalogue.get(code)!.name}`);
  }

  function realType(point: Point): string {
    const kind = pick(REAL);
    if (kind === 'security') return random() < 0.5 ? (CRIME_TYPE[point.crime] ?? pick(SECURITY_COMMON)) : pick(SECURITY_COMMON);
    return pick(kind === 'medical' ? MEDICAL : kind === 'civil' ? CIVIL : SERVICES);
  }

  async function moveUnit(unit: Unit, incident: Incident, eta: number): Promise<void> {
    const reporter = officerUnits.has(unit.id) ? policia : despacho;
    await sleep(between(2_000, 6_000));
    await reporter.call('POST', `/api/dispatch/units/${unit.id}/acknowledge`);
    await reporter.call('POST', `/api/dispatch/units/${unit.id}/status`, { status: 'en_route' });
    log(`${incident.folio}  ${unit.callSign} en camino`);
    // The trip is shortened (a quarter of the estimate, 15–90 s) so that a visitor sees it end.
    const travelMs = Math.min(90_000, Math.max(15_000, (eta * 1000) / 4));
    const steps = Math.max(1, Math.round(travelMs / 3_000));
    const from = unit.position;
    for (let i = 1; i <= steps && from; i++) {
      await sleep(travelMs / steps);
      const f = i / steps;
      const at = { lat: from.lat + (incident.location.lat - from.lat) * f, lon: from.lon + (incident.location.lon - from.lon) * f };
      await reporter.call('POST', `/api/dispatch/units/${unit.id}/position`, {
        lat: Number(at.lat.toFixed(6)),
        lon: Number(at.lon.toFixed(6)),
      });
    }
    await reporter.call('POST', `/api/dispatch/units/${unit.id}/status`, { status: 'on_scene' });
    log(`${incident.folio}  ${unit.callSign} en el lugar`);
  }

  /** Assigns the recommended units; a few tries when another console took one first or none is free. */
  async function dispatchUnits(incident: Incident): Promise<{ unit: Unit; eta: number }[] | null> {
    for (let attempt = 0; attempt < 6; attempt++) {
      const rec = await despacho.call<{ ranked: Recommendation[]; coverage: Recommendation[] }>(
        'GET',
        `/api/dispatch/incidents/${incident.id}/recommendations`,
      );
      const chosen = rec.coverage.length ? rec.coverage : rec.ranked.slice(0, 1);
      if (!chosen.length) {
        await sleep(20_000);
        continue;
      }
      try {
        await despacho.call('POST', `/api/dispatch/incidents/${incident.id}/assign`, { unitIds: chosen.map((c) => c.unitId) });
      } catch (err) {
        if (err instanceof HttpError && err.status === 409) continue; // taken meanwhile: ask again
        throw err;
      }
      const units = (await despacho.call<{ units: Unit[] }>('GET', '/api/dispatch/units')).units;
      return chosen.map((c) => ({ unit: units.find((u) => u.id === c.unitId)!, eta: c.etaSeconds }));
    }
    return null;
  }

  async function realCall(point: Point): Promise<void> {
    const typeCode = realType(point);
    const group = typeCode[0];
    const call = await operador.call<{ id: string }>(
      'POST',
      '/api/dispatch/calls',
      {
        ani: ani(),
        callerName: random() < 0.6 ? pick(FIRST_NAMES.map((n) => [n, 1] as const)) : null,
        callerLocation: { lat: point.lat, lon: point.lon, uncertaintyM: Math.round(between(10, 300)) },
      },
      true,
    );
    stats.calls++;
    openCalls.add(call.id);
    await sleep(between(5_000, 20_000)); // the interview
    const incident = await operador.call<Incident>(
      'POST',
      '/api/dispatch/incidents',
      {
        callId: call.id,
        typeCode,
        location: { lat: point.lat, lon: point.lon, uncertaintyM: 25 },
        note: pick((NOTES[group] ?? NOTES['3']).map((n) => [n, 1] as const)),
      },
      true,
    );
    openCalls.delete(call.id);
    openIncidents.set(incident.id, incident);
    stats.incidents++;
    log(
      `${incident.folio}  ${typeCode} ${incident.typeName} — ${municipalities.get(incident.location.municipalityCode) ?? incident.location.municipalityCode}`,
    );
    await sleep(between(3_000, 12_000)); // the dispatcher reads it
    const sent = await dispatchUnits(incident);
    if (!sent) {
      stats.noUnit++;
      await despacho.call('POST', `/api/dispatch/incidents/${incident.id}/status`, {
        status: 'cancelled',
        reason: 'Sin unidades disponibles (simulación)',
      });
      openIncidents.delete(incident.id);
      stats.cancelled++;
      log(`${incident.folio}  cancelado: sin unidades disponibles`);
      return;
    }
    stats.dispatched++;
    openIncidents.set(incident.id, { ...incident, status: 'dispatched' });
    log(`${incident.folio}  ← ${sent.map((s) => `${s.unit.callSign} (${Math.round(s.eta / 60)} min)`).join(', ')}`);
    await Promise.all(sent.map((s) => moveUnit(s.unit, incident, s.eta)));
    await sleep(between(30_000, 90_000)); // on scene
    const closure = pick(CLOSURES[group] ?? CLOSURES['3']);
    await despacho.call('POST', `/api/dispatch/incidents/${incident.id}/status`, { status: 'closed', closureCode: closure });
    openIncidents.delete(incident.id);
    stats.closed++;
    log(`${incident.folio}  cerrado: ${closure}`);
  }

  const boardLine = async () => {
    const b = await despacho.call<Board>('GET', '/api/dispatch/board');
    const count = (xs: { status: string }[]) =>
      Object.entries(xs.reduce<Record<string, number>>((m, x) => ((m[x.status] = (m[x.status] ?? 0) + 1), m), {}))
        .map(([k, v]) => `${v} ${k}`)
        .join(', ');
    return `tablero: ${b.incidents.length} incidentes abiertos (${count(b.incidents) || '—'}); unidades: ${count(b.units)}; ${b.alerts.length} alertas`;
  };
  const summary = () =>
    `llamadas ${stats.calls} (improcedentes ${stats.improper}), incidentes ${stats.incidents}, despachados ${stats.dispatched}, ` +
    `cerrados ${stats.closed}, cancelados ${stats.cancelled}, errores ${stats.errors}`;

  let interrupted = 0;
  process.on('SIGINT', () => {
    if (++interrupted > 1) process.exit(130);
    console.log('\nDeteniendo… (Ctrl+C otra vez para salir de inmediato)');
    stopping = true;
    stop.abort();
  });

  console.log(
    `Simulación contra ${opts.url}: ${opts.rate} llamadas/min, ${Math.round(opts.improper * 100)} % improcedentes, ` +
      `${opts.durationMin ? `${opts.durationMin} min` : 'hasta Ctrl+C'} (semilla ${opts.seed}); ${points.length} ubicaciones reales.`,
  );
  const ends = opts.durationMin ? Date.now() + opts.durationMin * 60_000 : Infinity;
  let nextReport = Date.now() + 60_000;
  try {
    while (!stopping && Date.now() < ends) {
      const point = points[Math.floor(random() * points.length)];
      const improper = random() < opts.improper;
      track((improper ? improperCall(point) : realCall(point)).catch((err: unknown) => failed(improper ? 'llamada' : 'incidente', err)));
      // Poisson arrivals: exponential gaps with the requested mean.
      await sleep(Math.min(Math.max(0, ends - Date.now()), (-Math.log(1 - random()) * 60_000) / opts.rate));
      if (Date.now() >= nextReport) {
        nextReport += 60_000;
        await boardLine().then(
          (line) => console.log(`— ${summary()}\n— ${line}`),
          (err: unknown) => failed('tablero', err),
        );
      }
    }
  } catch (err) {
    if (!(err instanceof Stopped)) throw err;
  }

  // Wrap-up: no new calls; stop the lifecycles, then leave the board as a visitor would expect.
  stopping = true;
  stop.abort();
  await Promise.allSettled([...tasks]);
  if (!opts.leaveOpen) {
    for (const id of openCalls) await operador.call('POST', `/api/dispatch/calls/${id}/close`, { outcome: 'abandoned' }).catch(() => {});
    for (const inc of openIncidents.values()) {
      const body =
        inc.status === 'pending'
          ? { status: 'cancelled', reason: 'Fin de la simulación' }
          : { status: 'closed', closureCode: WRAP_UP_CLOSURE };
      await despacho.call('POST', `/api/dispatch/incidents/${inc.id}/status`, body).then(
        () => void (body.status === 'closed' ? stats.closed++ : stats.cancelled++),
        (err: unknown) => failed(inc.folio, err),
      );
    }
  }
  console.log(`\nResumen: ${summary()}\n${await boardLine()}`);
  client.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
