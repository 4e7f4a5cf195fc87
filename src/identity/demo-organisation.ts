import type { IdentityDeps, JurisdictionCheck } from './identity.service.js';
import { createAgency, createUser, findAgencyByCode, userCount } from './identity.service.js';
import { generateSecret } from './totp.js';
import type { AgencyKind, AgencyLevel, Role } from './roles.js';

/**
 * The demo organisation loaded on the first start of an empty database: real
 * institutions of Mexico City, Jalisco and the federation, and one account per
 * role. Every demo account is flagged `is_demo`, which is what lets the CLI print
 * its current TOTP code.
 */
export const DEMO_PASSWORD = 'Demo-OpenC5-2026!';

type DemoAgency = {
  code: string;
  name: string;
  level: AgencyLevel;
  kind: AgencyKind;
  stateCode?: string;
  municipalityCode?: string;
  parent?: string;
};
const AGENCIES: DemoAgency[] = [
  { code: 'SSPC', name: 'Secretaría de Seguridad y Protección Ciudadana', level: 'federal', kind: 'police' },
  { code: 'CNI', name: 'Centro Nacional de Inteligencia — Fusión', level: 'federal', kind: 'fusion_centre', parent: 'SSPC' },
  { code: 'SSC-CDMX', name: 'Secretaría de Seguridad Ciudadana de la Ciudad de México', level: 'state', kind: 'police', stateCode: '09' },
  {
    code: 'C5-CDMX',
    name: 'Centro de Comando, Control, Cómputo, Comunicaciones y Contacto Ciudadano de la CDMX (C5)',
    level: 'state',
    kind: 'c5',
    stateCode: '09',
  },
  { code: 'FGJ-CDMX', name: 'Fiscalía General de Justicia de la Ciudad de México', level: 'state', kind: 'prosecutor', stateCode: '09' },
  {
    code: 'ERUM-CDMX',
    name: 'Escuadrón de Rescate y Urgencias Médicas (ERUM)',
    level: 'state',
    kind: 'ems',
    stateCode: '09',
    parent: 'SSC-CDMX',
  },
  { code: 'BOMBEROS-CDMX', name: 'Heroico Cuerpo de Bomberos de la Ciudad de México', level: 'state', kind: 'fire', stateCode: '09' },
  {
    code: 'UNIPOL-CDMX',
    name: 'Universidad de la Policía de la Ciudad de México',
    level: 'state',
    kind: 'academy',
    stateCode: '09',
    parent: 'SSC-CDMX',
  },
  { code: 'SSE-JAL', name: 'Secretaría de Seguridad del Estado de Jalisco', level: 'state', kind: 'police', stateCode: '14' },
  {
    code: 'C5-JAL',
    name: 'Centro de Coordinación, Comando, Control, Comunicaciones y Cómputo de Jalisco (C5 Escudo Urbano)',
    level: 'state',
    kind: 'c5',
    stateCode: '14',
  },
  {
    code: 'PM-GDL',
    name: 'Comisaría de la Policía de Guadalajara',
    level: 'municipal',
    kind: 'police',
    municipalityCode: '14039',
    parent: 'SSE-JAL',
  },
  {
    code: 'PC-ZAP',
    name: 'Coordinación Municipal de Protección Civil y Bomberos de Zapopan',
    level: 'municipal',
    kind: 'civil_protection',
    municipalityCode: '14120',
    parent: 'SSE-JAL',
  },
];

type DemoUser = { username: string; fullName: string; agency: string; roles: Role[] };
const USERS: DemoUser[] = [
  { username: 'admin', fullName: 'Administración del Sistema', agency: 'SSPC', roles: ['system_admin'] },
  { username: 'auditoria', fullName: 'Laura Méndez (Auditoría)', agency: 'SSPC', roles: ['auditor'] },
  { username: 'fusion', fullName: 'Ricardo Salas (Analista de fusión)', agency: 'CNI', roles: ['fusion_analyst', 'analyst'] },
  { username: 'admin.cdmx', fullName: 'Patricia Ortega (Administración SSC)', agency: 'SSC-CDMX', roles: ['agency_admin'] },
  { username: 'mando', fullName: 'Cmdte. Jorge Ríos', agency: 'SSC-CDMX', roles: ['commander'] },
  { username: 'policia', fullName: 'Pol. Ana Torres', agency: 'SSC-CDMX', roles: ['field_officer'] },
  { username: 'operador', fullName: 'Mariana López (Telefonista 911)', agency: 'C5-CDMX', roles: ['call_taker'] },
  { username: 'despacho', fullName: 'Luis Hernández (Despachador)', agency: 'C5-CDMX', roles: ['dispatcher'] },
  { username: 'supervisor', fullName: 'Sofía Ramírez (Supervisora)', agency: 'C5-CDMX', roles: ['supervisor', 'dispatcher'] },
  { username: 'camaras', fullName: 'Diego Cruz (Monitorista)', agency: 'C5-CDMX', roles: ['camera_operator'] },
  { username: 'analista', fullName: 'Elena Vargas (Analista)', agency: 'C5-CDMX', roles: ['analyst'] },
  { username: 'capacitacion', fullName: 'Mtro. Héctor Gil (Capacitación)', agency: 'UNIPOL-CDMX', roles: ['training_officer'] },
  { username: 'policia.gdl', fullName: 'Pol. Carlos Navarro (Guadalajara)', agency: 'PM-GDL', roles: ['field_officer'] },
  { username: 'enlace.mp', fullName: 'Lic. Rosa Delgado (Enlace MP)', agency: 'FGJ-CDMX', roles: ['prosecutor_liaison'] },
];

export type DemoAccount = { username: string; fullName: string; roles: Role[]; agencyCode: string; totpSecret: string };

/** Loads the demo organisation into an empty database; returns the accounts created (none on later starts). */
export async function loadDemoOrganisation(deps: IdentityDeps, geo: JurisdictionCheck): Promise<DemoAccount[]> {
  if ((await userCount(deps)) > 0) return [];
  const seed = { system: 'demo-seed' };
  const ids = new Map<string, string>();
  for (const a of AGENCIES) {
    const existing = await findAgencyByCode(deps, a.code);
    const row =
      existing ??
      (await createAgency(
        deps,
        seed,
        {
          code: a.code,
          name: a.name,
          level: a.level,
          kind: a.kind,
          stateCode: a.stateCode,
          municipalityCode: a.municipalityCode,
          parentId: a.parent ? ids.get(a.parent) : null,
        },
        geo,
      ));
    ids.set(a.code, row.id);
  }
  const out: DemoAccount[] = [];
  for (const u of USERS) {
    const totpSecret = generateSecret();
    await createUser(deps, seed, {
      agencyId: ids.get(u.agency)!,
      username: u.username,
      fullName: u.fullName,
      password: DEMO_PASSWORD,
      roles: u.roles,
      isDemo: true,
      mfaSecret: totpSecret,
    });
    out.push({ username: u.username, fullName: u.fullName, roles: u.roles, agencyCode: u.agency, totpSecret });
  }
  return out;
}
