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
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /** Largest evidence photo accepted (a phone camera's full-resolution JPEG is 3–8 MB). */
  EVIDENCE_PHOTO_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 1_048_576),
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
  bodyLimit: number;
  evidencePhotoMaxBytes: number;
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
    bodyLimit: c.BODY_LIMIT_BYTES,
    evidencePhotoMaxBytes: c.EVIDENCE_PHOTO_MAX_BYTES,
  };
}
