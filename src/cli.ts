import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from './platform/config.js';
import { openDatabase } from './platform/db/database.js';
import { migrateToLatest } from './platform/db/migrate.js';
import { AppError } from './platform/errors.js';
import { t } from './platform/i18n/messages.js';
import * as identity from './identity/identity.service.js';
import { verifyAudit } from './identity/audit.service.js';
import { totp } from './identity/totp.js';
import { AGENCY_KINDS, AGENCY_LEVELS, ROLES, type AgencyKind, type AgencyLevel, type Role } from './identity/roles.js';
import { municipalityState, stateExists } from './geo/geo.store.js';
import { createGeoService } from './geo/geo.service.js';
import { loadGeography } from './app.js';
import { cliImport, cliRejections } from './records/import-cli.js';
import { createIndicatorsDeps } from './indicators/indicators.service.js';
import { INDICATORS_USAGE, runIndicatorsCommand } from './indicators/indicators.cli.js';

const USAGE = `Uso: npm run cli -- <comando>

  audit verify                         Verifica la cadena de hashes de la bitácora de auditoría
  demo code <usuario>                  Código TOTP actual de una cuenta demo
  agency list                          Lista las instituciones
  agency create --code C --name N --level federal|state|municipal --kind K
                [--state 09] [--municipality 09015] [--parent CODIGO]
  user list [--agency CODIGO]          Lista los usuarios
  user create --agency CODIGO --username U --name "Nombre" --roles r1,r2 --password P
  user roles <usuario> r1,r2           Asigna roles
  user unlock|reset-mfa|disable|enable <usuario>
  user password <usuario> <contraseña>
  records import <archivo> [--mapping cdmx-ssp|<nombre>|<archivo.json>] [--encoding auto|utf-8|windows-1252|latin1]
                [--delimiter auto|,|;|tab] [--format csv|geojson] [--state 09] [--agency CODIGO] [--resume <id>]
                                       Importa delitos de un CSV o GeoJSON (hasta 2 GB), con avance y resumen
  records rejections <id>              Filas rechazadas de una importación, en CSV
${INDICATORS_USAGE}

Roles: ${ROLES.join(', ')}
Tipos de institución: ${AGENCY_KINDS.join(', ')}`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      code: { type: 'string' },
      name: { type: 'string' },
      level: { type: 'string' },
      kind: { type: 'string' },
      state: { type: 'string' },
      municipality: { type: 'string' },
      parent: { type: 'string' },
      agency: { type: 'string' },
      username: { type: 'string' },
      roles: { type: 'string' },
      password: { type: 'string' },
      mapping: { type: 'string' },
      encoding: { type: 'string' },
      delimiter: { type: 'string' },
      format: { type: 'string' },
      resume: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      // indicators
      crime: { type: 'string' },
      source: { type: 'string' },
      release: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      period: { type: 'string' },
      area: { type: 'string' },
      population: { type: 'string' },
      by: { type: 'string' },
      limit: { type: 'string' },
      'confirm-removals': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
    },
  });
  const [group, command, ...rest] = positionals;
  if (values.help || !group) {
    console.log(USAGE);
    return group ? 0 : 1;
  }
  const config = loadConfig();
  const handle = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const deps = { handle, config };
  const actor = { system: `cli:${os.userInfo().username}` };
  const geo = { stateExists: (c: string) => stateExists(handle.db, c), municipalityState: (c: string) => municipalityState(handle.db, c) };
  const findUser = async (username: string | undefined) => {
    const u = (await identity.listUsers(deps)).find((x) => x.username === username?.toLowerCase());
    if (!u) throw new Error(`No existe el usuario «${username ?? ''}».`);
    return u;
  };
  const parseRoles = (s: string | undefined): Role[] => {
    const list = (s ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    const bad = list.find((r) => !(ROLES as readonly string[]).includes(r));
    if (bad) throw new Error(`Rol desconocido «${bad}». Roles: ${ROLES.join(', ')}`);
    return list as Role[];
  };
  try {
    await migrateToLatest(handle);
    if (group === 'indicators') return await runIndicatorsCommand(createIndicatorsDeps(handle, createGeoService()), command, values, rest);
    switch (`${group} ${command ?? ''}`.trim()) {
      case 'audit verify': {
        const r = await verifyAudit(handle);
        if (r.ok) {
          console.log(`Bitácora íntegra: ${r.entries} entradas; hash final ${r.headHash}`);
          return 0;
        }
        const what = { modified: 'fue modificada', missing: 'falta (fue borrada)', chain_broken: 'no encadena con la anterior' }[r.problem];
        console.error(`Bitácora ALTERADA: la entrada ${r.seq} ${what}. ${r.entries} entradas anteriores verificadas.`);
        return 3;
      }
      case 'demo code': {
        const secret = await identity.demoSecret(deps, rest[0] ?? '');
        if (!secret) {
          console.error(`«${rest[0] ?? ''}» no es una cuenta demo con verificación en dos pasos.`);
          return 1;
        }
        console.log(totp(secret));
        return 0;
      }
      case 'agency list': {
        for (const a of await identity.listAgencies(deps))
          console.log(
            `${a.code.padEnd(16)} ${a.level.padEnd(9)} ${a.kind.padEnd(16)} ${a.stateCode ?? '--'} ${a.municipalityCode ?? '-----'}  ${a.name}`,
          );
        return 0;
      }
      case 'agency create': {
        // The CLI may create the first agency before the server ever started.
        await loadGeography(handle, createGeoService());
        if (!AGENCY_LEVELS.includes(values.level as AgencyLevel)) throw new Error(`--level debe ser ${AGENCY_LEVELS.join('|')}`);
        if (!AGENCY_KINDS.includes(values.kind as AgencyKind)) throw new Error(`--kind debe ser ${AGENCY_KINDS.join('|')}`);
        if (!values.code || !values.name) throw new Error('--code y --name son obligatorios');
        const parent = values.parent ? await identity.findAgencyByCode(deps, values.parent) : undefined;
        if (values.parent && !parent) throw new Error(`No existe la institución «${values.parent}».`);
        const a = await identity.createAgency(
          deps,
          actor,
          {
            code: values.code,
            name: values.name,
            level: values.level as AgencyLevel,
            kind: values.kind as AgencyKind,
            stateCode: values.state,
            municipalityCode: values.municipality,
            parentId: parent?.id,
          },
          geo,
        );
        console.log(`Institución creada: ${a.code} (${a.id})`);
        return 0;
      }
      case 'user list': {
        const agency = values.agency ? await identity.findAgencyByCode(deps, values.agency) : undefined;
        for (const u of await identity.listUsers(deps, agency ? [agency.id] : undefined)) {
          const flags = [
            u.locked ? 'BLOQUEADA' : '',
            u.disabled ? 'DESHABILITADA' : '',
            u.mfaEnrolled ? '' : 'sin-MFA',
            u.isDemo ? 'demo' : '',
          ]
            .filter(Boolean)
            .join(' ');
          console.log(`${u.username.padEnd(16)} ${u.roles.join(',').padEnd(32)} ${flags}`);
        }
        return 0;
      }
      case 'user create': {
        const agency = await identity.findAgencyByCode(deps, values.agency ?? '');
        if (!agency) throw new Error(`No existe la institución «${values.agency ?? ''}».`);
        if (!values.username || !values.name || !values.password) throw new Error('--username, --name y --password son obligatorios');
        const u = await identity.createUser(deps, actor, {
          agencyId: agency.id,
          username: values.username,
          fullName: values.name,
          password: values.password,
          roles: parseRoles(values.roles),
        });
        console.log(`Usuario creado: ${u.username}. Enrolará la verificación en dos pasos en su primer inicio de sesión.`);
        return 0;
      }
      case 'user roles':
      case 'user unlock':
      case 'user reset-mfa':
      case 'user disable':
      case 'user enable':
      case 'user password': {
        const u = await findUser(rest[0]);
        const action: identity.UserAdminAction =
          command === 'roles'
            ? { kind: 'set_roles', roles: parseRoles(rest[1]) }
            : command === 'password'
              ? { kind: 'set_password', password: rest[1] ?? '' }
              : { kind: command === 'reset-mfa' ? 'reset_mfa' : (command as 'unlock' | 'disable' | 'enable') };
        await identity.administerUser(deps, actor, u.id, action);
        console.log(`Hecho: ${command} ${u.username}`);
        return 0;
      }
      case 'records import': {
        if (!rest[0]) throw new Error('Indique el archivo: records import <archivo>');
        const geoService = createGeoService();
        geoService.warmUp();
        return await cliImport(
          { handle, geo: geoService, config },
          {
            file: rest[0],
            mapping: values.mapping,
            encoding: values.encoding,
            delimiter: values.delimiter,
            format: values.format,
            state: values.state,
            agency: values.agency,
            resume: values.resume,
          },
          { out: (s) => console.log(s), err: process.stderr },
        );
      }
      case 'records rejections':
        return await cliRejections({ handle, geo: createGeoService() }, rest[0] ?? '', (s) => process.stdout.write(s));
      default:
        console.error(USAGE);
        return 1;
    }
  } catch (err) {
    if (err instanceof AppError) console.error(`Error: ${t('es', err.messageKey, err.params)}${err.field ? ` (${err.field})` : ''}`);
    else console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await handle.close();
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
