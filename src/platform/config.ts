import path from 'node:path';
import { z } from 'zod';

/**
 * Runtime configuration, read once from the environment and validated so that a
 * bad value stops the start with a message naming the variable, instead of
 * surfacing later as a confusing failure in the middle of a shift.
 */
const minutes = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const configSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'debe empezar con postgres:// o postgresql://')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** CJIS 5.5.5: session lock after 30 minutes of inactivity. */
  SESSION_IDLE_MINUTES: minutes(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().positive().default(12),
  /** Optional street base map: a raster ({z}/{x}/{y}) or a MapLibre style JSON URL. */
  MAP_TILE_URL: z.string().url().optional(),
  MAP_TILE_ATTRIBUTION: z.string().optional(),
  /** Send cookies with the Secure flag; on by default unless serving plain HTTP on loopback. */
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  /** Load the demo organisation on first start. */
  DEMO: z.enum(['true', 'false']).default('true'),
  /** With DEMO: import the shipped Mexico City crime records (2013–2015) in the background on first start. */
  DEMO_CRIME_RECORDS: z.enum(['true', 'false']).default('true'),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /** Largest evidence photo accepted (a phone camera's full-resolution JPEG is 3–8 MB). */
  EVIDENCE_PHOTO_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 1_048_576),
  /** Load the crime records into the analysis engine at start (false: on the first map question). */
  ANALYSIS_PRELOAD: z.enum(['true', 'false']).default('true'),
  /** How often the analysis engine reads new crime records, ms (0: never by itself). */
  ANALYSIS_POLL_MS: z.coerce.number().int().min(0).default(2000),
  /** A hotspot job running longer than this is stopped with a clear error. */
  ANALYSIS_JOB_TIME_LIMIT_SECONDS: z.coerce.number().positive().default(120),
  /** Hotspot jobs run at once (one worker thread each). */
  ANALYSIS_JOB_WORKERS: z.coerce.number().int().min(1).max(16).default(1),
  /** Public map points: moved to the centre of their H3 resolution-9 cell, or of their police quadrant. */
  PUBLIC_MAP_SNAP: z.enum(['h3', 'quadrant']).default('h3'),
  /** Public map counts below this are published as suppressed. */
  PUBLIC_MAP_MIN_COUNT: z.coerce.number().int().min(1).max(1000).default(5),
});

export type Config = {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  logLevel: z.infer<typeof configSchema>['LOG_LEVEL'];
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  mapTileUrl: string | undefined;
  mapTileAttribution: string | undefined;
  cookieSecure: boolean;
  demo: boolean;
  demoCrimeRecords: boolean;
  bodyLimit: number;
  evidencePhotoMaxBytes: number;
  analysis: {
    preload: boolean;
    pollMs: number;
    jobTimeLimitMs: number;
    jobWorkers: number;
  };
  publicMap: { snap: 'h3' | 'quadrant'; minCount: number };
};

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Configuración inválida / invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const loopback = c.HOST === '127.0.0.1' || c.HOST === 'localhost' || c.HOST === '::1';
  return {
    databaseUrl: c.DATABASE_URL,
    dataDir: path.resolve(c.DATA_DIR),
    port: c.PORT,
    host: c.HOST,
    logLevel: c.LOG_LEVEL,
    sessionIdleMs: c.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: c.SESSION_ABSOLUTE_HOURS * 3_600_000,
    mapTileUrl: c.MAP_TILE_URL,
    mapTileAttribution: c.MAP_TILE_ATTRIBUTION,
    cookieSecure: c.COOKIE_SECURE === 'auto' ? !loopback : c.COOKIE_SECURE === 'true',
    demo: c.DEMO === 'true',
    demoCrimeRecords: c.DEMO_CRIME_RECORDS === 'true',
    bodyLimit: c.BODY_LIMIT_BYTES,
    evidencePhotoMaxBytes: c.EVIDENCE_PHOTO_MAX_BYTES,
    analysis: {
      preload: c.ANALYSIS_PRELOAD === 'true',
      pollMs: c.ANALYSIS_POLL_MS,
      jobTimeLimitMs: c.ANALYSIS_JOB_TIME_LIMIT_SECONDS * 1000,
      jobWorkers: c.ANALYSIS_JOB_WORKERS,
    },
    publicMap: { snap: c.PUBLIC_MAP_SNAP, minCount: c.PUBLIC_MAP_MIN_COUNT },
  };
}
