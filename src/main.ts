import { ConfigError, loadConfig } from './platform/config.js';
import { createPlatform } from './app.js';
import { totp } from './identity/totp.js';
import { DEMO_PASSWORD } from './identity/demo-organisation.js';
import { verifyAudit } from './identity/audit.service.js';
import { loadDemoCrimeRecords } from './records/demo-crime.js';

/** `npm start`: runs the platform and prints how to reach it. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const platform = await createPlatform(config);
  const { app, handle } = platform;
  const address = await app.listen({ port: config.port, host: config.host });
  const shown = address.replace('0.0.0.0', '127.0.0.1');
  const chain = await verifyAudit(handle);
  app.log.info({ auditEntries: chain.entries, auditHead: chain.ok ? chain.headHash : null, auditOk: chain.ok }, 'audit chain at start');

  const out = [
    '',
    `OpenC5 ${handle.kind === 'sqlite' ? `(base embebida: ${handle.location})` : `(PostgreSQL: ${handle.location})`}`,
    `  Abra / open:  ${shown}`,
    `  API:          ${shown}/api/docs`,
  ];
  if (platform.catalogueLoaded) out.push('  Geografía de México cargada (32 entidades, 2,469 municipios).');
  if (platform.demoAccounts.length) {
    out.push('', `  Cuentas demo (contraseña: ${DEMO_PASSWORD}). Secretos TOTP para su app autenticadora:`);
    for (const a of platform.demoAccounts)
      out.push(`    ${a.username.padEnd(14)} ${a.totpSecret}  ${a.roles.join(', ')} — ${a.agencyCode}`);
    out.push('', `  Código actual sin teléfono:  npm run cli -- demo code admin   (ahora: ${totp(platform.demoAccounts[0].totpSecret)})`);
  } else if (config.demo) {
    out.push('', `  Cuentas demo: contraseña ${DEMO_PASSWORD}; código TOTP:  npm run cli -- demo code <usuario>`);
  }
  console.log(out.join('\n') + '\n');

  // Off the start path: the map fills as the rows arrive (the analysis engine reads new records as they land).
  if (config.demo && config.demoCrimeRecords)
    void loadDemoCrimeRecords(platform.crime).then(
      (n) => {
        if (!n) return;
        app.log.info({ rows: n }, 'demo crime records imported (Mexico City 2013–2015)');
        console.log(`  Mapa delictivo: ${n.toLocaleString('es-MX')} delitos reales de la CDMX (2013–2015) importados → ${shown}/mapa\n`);
      },
      (err: unknown) => app.log.error({ err }, 'demo crime records failed to import'),
    );

  const stop = async (signal: string) => {
    app.log.info({ signal }, 'stopping');
    await platform.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
