import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has safe defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      sessionIdleMs: 30 * 60_000,
      sessionAbsoluteMs: 12 * 3_600_000,
      cookieSecure: false,
      demo: true,
    });
    expect(c.databaseUrl).toBeUndefined();
  });

  it('stops with a message naming each bad variable', () => {
    const bad = () => loadConfig({ PORT: 'ochenta', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/PORT/);
    expect(bad).toThrow(/DATABASE_URL: debe empezar con postgres:\/\//);
    expect(bad).toThrow(/LOG_LEVEL/);
  });

  it('turns on Secure cookies off loopback', () => {
    expect(loadConfig({ HOST: '0.0.0.0' }).cookieSecure).toBe(true);
  });
});
