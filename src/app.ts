import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from './platform/config.js';
import { openDatabase, type Db } from './platform/db/database.js';
import { migrateToLatest, migrationLevel } from './platform/db/migrate.js';
import { buildServer, errorSchema, typed, type AppContext } from './platform/http/server.js';
import { registerAccessHook } from './identity/access.hook.js';
import { identityRoutes } from './identity/identity.routes.js';
import { loadDemoOrganisation, type DemoAccount } from './identity/demo-organisation.js';
import { createGeoService, type GeoService } from './geo/geo.service.js';
import { geoRoutes } from './geo/geo.routes.js';
import { ensureCatalogue, municipalityState, stateExists } from './geo/geo.store.js';
import { STATE_REGION } from './identity/roles.js';
import { createEventBus } from './platform/events.js';
import { createDispatchCatalogue } from './dispatch/dispatch-catalogue.js';
import type { DispatchDeps } from './dispatch/dispatch.service.js';
import { dispatchRoutes } from './dispatch/dispatch.routes.js';
import { transferRoutes } from './dispatch/transfer.routes.js';
import { metricsRoutes } from './dispatch/metrics.routes.js';
import { settingsRoutes } from './dispatch/settings.routes.js';
import { loadDemoDispatch } from './dispatch/demo-dispatch.js';
import { checkTimers } from './dispatch/board.service.js';
import type { RecordsDeps } from './records/iph.deps.js';
import { iphRoutes } from './records/iph.routes.js';
import { detentionRoutes } from './records/detention.routes.js';
import { evidenceRoutes } from './records/evidence.routes.js';
import type { CrimeDeps } from './records/crime.service.js';
import { crimeRecorder } from './records/iph-crime.js';
import { crimeRecordsAdapter } from './records/crime-indicators.js';
import { crimeRoutes } from './records/crime.routes.js';
import { importRoutes } from './records/import.routes.js';
import { createIndicatorsDeps, loadSeedData, type IndicatorsDeps } from './indicators/indicators.service.js';
import { indicatorsRoutes } from './indicators/indicators.routes.js';
import { dispatch911Adapter } from './indicators/adapters.js';
import { createAnalysisEngine, type AnalysisEngine } from './analysis/engine.service.js';
import { analysisRoutes } from './analysis/analysis.routes.js';
import { publicMapRoutes } from './analysis/public-map.routes.js';

export const VERSION = '0.1.0';
const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_WEB_ROOT = path.resolve(here, '../dist/web');

export type Platform = {
  app: FastifyInstance;
  handle: Db;
  geo: GeoService;
  config: Config;
  /** Demo accounts created by this start (empty when the database already had users). */
  demoAccounts: DemoAccount[];
  catalogueLoaded: boolean;
  /** The dispatch module's services (tests call them directly, e.g. the supervisor timers). */
  dispatch: DispatchDeps;
  /** The IPH, detention and evidence services (`onSigned` is the hook "IPH signed → crime record"). */
  records: RecordsDeps;
  /** The crime records' services (`recordCrime`, imports), for other modules and tests. */
  crime: CrimeDeps;
  /** The crime indicators module's services and caches. */
  indicators: IndicatorsDeps;
  /** The crime map's analysis engine (worker threads); `refresh()` reads new records now. */
  analysis: AnalysisEngine;
  close: () => Promise<void>;
};

/** Loads Mexico's jurisdiction catalogue into the database on first start. */
export async function loadGeography(handle: Db, geo: GeoService): Promise<boolean> {
  const { states, municipalities } = geo.catalogue();
  return ensureCatalogue(
    handle.db,
    states.map((s) => ({
      code: s.code,
      name: s.name,
      shortName: s.shortName,
      abbreviation: s.abbreviation,
      region: STATE_REGION[s.code],
      population: s.population,
    })),
    municipalities.map((m) => ({ code: m.code, stateCode: m.stateCode, name: m.name, population: m.population })),
  );
}

/** Opens storage, applies migrations, loads reference and demo data, and builds the HTTP app. */
export async function createPlatform(
  config: Config,
  opts: { logger?: boolean; webRoot?: string; handle?: Db; timers?: boolean } = {},
): Promise<Platform> {
  const handle = opts.handle ?? openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(handle);
    const geo = createGeoService();
    const catalogueLoaded = await loadGeography(handle, geo);
    const ctx: AppContext = { config, handle };
    const identityDeps = { handle, config };
    const jurisdiction = {
      stateExists: (c: string) => stateExists(handle.db, c),
      municipalityState: (c: string) => municipalityState(handle.db, c),
    };
    const demoAccounts = config.demo ? await loadDemoOrganisation(identityDeps, jurisdiction) : [];
    const dispatch: DispatchDeps = { handle, config, geo, catalogue: createDispatchCatalogue(), bus: createEventBus() };
    if (config.demo) await loadDemoDispatch(dispatch);
    const crime: CrimeDeps = { handle, geo };
    const records: RecordsDeps = { handle, config, geo, dispatch, onSigned: crimeRecorder(crime) };
    // Official crime statistics shipped with the code (src/indicators/data), loaded once like the geography.
    const indicators = createIndicatorsDeps(handle, geo);
    await loadSeedData(indicators);
    const analysis = createAnalysisEngine({
      crime,
      options: {
        pollMs: config.analysis.pollMs,
        jobTimeLimitMs: config.analysis.jobTimeLimitMs,
        jobWorkers: config.analysis.jobWorkers,
        publicMap: config.publicMap,
      },
      log: (msg, err) => (err ? app.log.error({ err }, msg) : app.log.info(msg)),
    });

    const app = await buildServer(ctx, { logger: opts.logger, webRoot: opts.webRoot ?? DEFAULT_WEB_ROOT });
    registerAccessHook(app, ctx);
    platformRoutes(app, ctx);
    await identityRoutes(app, ctx);
    await geoRoutes(app, ctx, geo);
    await dispatchRoutes(app, ctx, dispatch);
    await transferRoutes(app, dispatch);
    await metricsRoutes(app, dispatch);
    await settingsRoutes(app, dispatch);
    await iphRoutes(app, records);
    await detentionRoutes(app, records);
    await evidenceRoutes(app, records);
    await crimeRoutes(app, crime);
    await importRoutes(app, crime);
    // The platform's own data through the same engine: 911 (dispatch) and crime records by colonia (records).
    await indicatorsRoutes(app, indicators, { platform: [dispatch911Adapter(dispatch), crimeRecordsAdapter(crime)] });
    await analysisRoutes(app, analysis, crime);
    await publicMapRoutes(app, analysis);
    await app.ready();
    // The records load into the analysis workers in the background; map questions wait for it.
    if (config.analysis.preload) analysis.start();
    // Supervisor timers: a light query every few seconds; tests drive checkTimers directly.
    const timers =
      opts.timers === false
        ? undefined
        : setInterval(() => void checkTimers(dispatch).catch((err: unknown) => app.log.error({ err }, 'timer check failed')), 5000);
    timers?.unref();
    return {
      app,
      handle,
      geo,
      config,
      demoAccounts,
      catalogueLoaded,
      dispatch,
      records,
      crime,
      indicators,
      analysis,
      close: async () => {
        if (timers) clearInterval(timers);
        await analysis.close();
        await app.close();
        if (!opts.handle) await handle.close();
      },
    };
  } catch (err) {
    if (!opts.handle) await handle.close();
    throw err;
  }
}

function platformRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = typed(app);
  r.get('/api/health', {
    config: { access: 'public' },
    schema: {
      tags: ['platform'],
      summary: 'Estado del servicio',
      response: {
        200: z.object({ status: z.literal('ok'), database: z.enum(['sqlite', 'postgres']), migration: z.string(), version: z.string() }),
        503: errorSchema,
      },
    },
    handler: async () => ({
      status: 'ok' as const,
      database: ctx.handle.kind,
      migration: await migrationLevel(ctx.handle),
      version: VERSION,
    }),
  });
  r.get('/api/platform', {
    config: { access: 'public' },
    schema: {
      tags: ['platform'],
      summary: 'Datos públicos de la instalación (mapa base, modo demo)',
      response: {
        200: z.object({
          name: z.string(),
          version: z.string(),
          demo: z.boolean(),
          map: z.object({ tileUrl: z.string().nullable(), attribution: z.string().nullable() }),
        }),
      },
    },
    handler: async () => ({
      name: 'OpenC5',
      version: VERSION,
      demo: ctx.config.demo,
      map: { tileUrl: ctx.config.mapTileUrl ?? null, attribution: ctx.config.mapTileAttribution ?? null },
    }),
  });
  r.get('/api/openapi.json', {
    config: { access: 'public' },
    schema: { hide: true },
    handler: async () => app.swagger(),
  });
}
