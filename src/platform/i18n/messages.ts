/**
 * Server-side messages (errors, CLI output) in es-MX first and English. The web
 * client has its own catalogues in src/web/i18n; both use the same error codes.
 */
export const LANGUAGES = ['es', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const es = {
  'error.validation': 'Dato inválido en «{field}»: {detail}',
  'error.validation_body': 'La solicitud no es válida: {detail}',
  'error.malformed_json': 'El cuerpo de la solicitud no es JSON válido.',
  'error.unsupported_media_type': 'Tipo de contenido no admitido; envíe application/json.',
  'error.body_too_large': 'La solicitud es demasiado grande (máximo {limit} bytes).',
  'error.not_found': 'No encontrado.',
  'error.route_not_found': 'No existe la ruta {method} {url}.',
  'error.unauthenticated': 'Inicie sesión para continuar.',
  'error.session_expired': 'Su sesión expiró. Inicie sesión de nuevo.',
  'error.forbidden': 'No tiene permiso para realizar esta acción.',
  'error.csrf': 'Falta el token CSRF o no es válido. Recargue la página.',
  'error.invalid_credentials': 'Usuario o contraseña incorrectos.',
  'error.account_locked': 'La cuenta está bloqueada por intentos fallidos. Solicite a un administrador que la desbloquee.',
  'error.account_disabled': 'La cuenta está deshabilitada. Consulte a su administrador.',
  'error.mfa_invalid': 'El código de verificación no es correcto o ya se usó.',
  'error.mfa_stage': 'Complete primero la verificación en dos pasos.',
  'error.conflict_username': 'Ya existe un usuario con ese nombre.',
  'error.conflict_agency_code': 'Ya existe una institución con esa clave.',
  'error.password.too_short': 'La contraseña debe tener al menos 12 caracteres.',
  'error.password.too_long': 'La contraseña es demasiado larga (máximo 256 caracteres).',
  'error.password.common': 'Esa contraseña es demasiado común; elija otra.',
  'error.password.contains_username': 'La contraseña no puede contener el nombre de usuario.',
  'error.password.repetitive': 'La contraseña repite muy pocos caracteres distintos.',
  'error.role_not_grantable': 'No puede asignar el rol {role}.',
  'error.agency_parent': 'La institución superior no es válida para ese nivel.',
  'error.jurisdiction': 'La jurisdicción no es válida: {detail}',
  'error.outside_mexico': 'El punto ({lat}, {lon}) está fuera del territorio mexicano.',
  'error.rate_limited': 'Demasiadas solicitudes; intente en unos segundos.',
  'error.internal': 'Ocurrió un error interno. Se registró con el folio {requestId}.',
  'error.self_action': 'No puede realizar esa acción sobre su propia cuenta.',
  'error.dispatch.no_centre': 'No hay un centro C4/C5 registrado para la entidad {state}.',
  'error.dispatch.idempotency_mismatch': 'La clave de idempotencia ya se usó con otra solicitud distinta.',
  'error.dispatch.call_closed': 'La llamada ya fue cerrada.',
  'error.dispatch.improper_code': 'El código {code} no es un tipo de llamada improcedente del catálogo.',
  'error.dispatch.unknown_type': 'El código {code} no existe en el catálogo nacional de incidentes.',
  'error.dispatch.improper_type': 'El código {code} es de llamada improcedente; cierre la llamada en lugar de crear un incidente.',
  'error.dispatch.priority_reason': 'Indique el motivo del cambio de prioridad.',
  'error.dispatch.wrong_centre': 'El lugar está en {state}: corresponde a {centre}. Transfiera la llamada a ese centro.',
  'error.dispatch.note_empty': 'La nota está vacía.',
  'error.dispatch.note_too_long': 'La nota es demasiado larga (máximo {max} caracteres).',
  'error.dispatch.invalid_transition': 'No se puede pasar el incidente de «{from}» a «{to}».',
  'error.dispatch.closure_code': 'Indique el código de cierre.',
  'error.dispatch.closure_code_unknown': 'El código de cierre «{code}» no existe; elija uno de la lista.',
  'error.dispatch.reason': 'Indique el motivo.',
  'error.dispatch.unit_not_taskable': 'No puede asignar la unidad {unit}: pertenece a una institución que usted no despacha.',
  'error.dispatch.unit_out_of_service': 'La unidad {unit} está fuera de servicio.',
  'error.dispatch.incident_not_open': 'El incidente {folio} no está abierto.',
  'error.dispatch.unit_unavailable': 'La unidad {unit} ya no está disponible: otro despachador la asignó.',
  'error.dispatch.unit_transition': 'La unidad no puede pasar de «{from}» a «{to}».',
  'error.dispatch.unit_changed': 'El estado de la unidad {unit} cambió mientras tanto; vuelva a intentarlo.',
  'error.dispatch.no_assignment': 'La unidad {unit} no tiene una asignación activa.',
  'error.dispatch.alert_acknowledged': 'La alerta ya fue atendida.',
  'error.dispatch.call_sign_taken': 'Ya existe una unidad con el indicativo {callSign}.',
  'error.dispatch.transfer_invalid': 'El documento EIDO no es válido: {detail}',
  'error.dispatch.same_centre': 'El lugar está en la entidad de este centro: cree el incidente aquí.',
  'error.dispatch.transfer_accepted': 'La transferencia ya fue aceptada.',
  'error.dispatch.metrics_range': 'El periodo no es válido: «desde» debe ser anterior a «hasta» y abarcar a lo más un año.',
} as const;

export type MessageKey = keyof typeof es;

const en: Record<MessageKey, string> = {
  'error.validation': 'Invalid value in “{field}”: {detail}',
  'error.validation_body': 'The request is not valid: {detail}',
  'error.malformed_json': 'The request body is not valid JSON.',
  'error.unsupported_media_type': 'Unsupported content type; send application/json.',
  'error.body_too_large': 'The request is too large (at most {limit} bytes).',
  'error.not_found': 'Not found.',
  'error.route_not_found': 'There is no route {method} {url}.',
  'error.unauthenticated': 'Sign in to continue.',
  'error.session_expired': 'Your session expired. Sign in again.',
  'error.forbidden': 'You are not allowed to do this.',
  'error.csrf': 'The CSRF token is missing or invalid. Reload the page.',
  'error.invalid_credentials': 'Wrong user name or password.',
  'error.account_locked': 'The account is locked after failed attempts. Ask an administrator to unlock it.',
  'error.account_disabled': 'The account is disabled. Contact your administrator.',
  'error.mfa_invalid': 'The verification code is wrong or was already used.',
  'error.mfa_stage': 'Complete the two-step verification first.',
  'error.conflict_username': 'A user with that name already exists.',
  'error.conflict_agency_code': 'An agency with that code already exists.',
  'error.password.too_short': 'The password must have at least 12 characters.',
  'error.password.too_long': 'The password is too long (at most 256 characters).',
  'error.password.common': 'That password is too common; choose another.',
  'error.password.contains_username': 'The password cannot contain the user name.',
  'error.password.repetitive': 'The password repeats too few distinct characters.',
  'error.role_not_grantable': 'You cannot grant the role {role}.',
  'error.agency_parent': 'The parent agency is not valid for that level.',
  'error.jurisdiction': 'The jurisdiction is not valid: {detail}',
  'error.outside_mexico': 'The point ({lat}, {lon}) is outside Mexico.',
  'error.rate_limited': 'Too many requests; try again in a few seconds.',
  'error.internal': 'An internal error occurred. It was logged with reference {requestId}.',
  'error.self_action': 'You cannot do that to your own account.',
  'error.dispatch.no_centre': 'There is no C4/C5 centre registered for state {state}.',
  'error.dispatch.idempotency_mismatch': 'The idempotency key was already used with a different request.',
  'error.dispatch.call_closed': 'The call is already closed.',
  'error.dispatch.improper_code': 'Code {code} is not an improper-call type of the catalogue.',
  'error.dispatch.unknown_type': 'Code {code} is not in the national incident catalogue.',
  'error.dispatch.improper_type': 'Code {code} is an improper call; close the call instead of creating an incident.',
  'error.dispatch.priority_reason': 'Give the reason for the priority change.',
  'error.dispatch.wrong_centre': 'The place is in {state}: it belongs to {centre}. Transfer the call to that centre.',
  'error.dispatch.note_empty': 'The note is empty.',
  'error.dispatch.note_too_long': 'The note is too long (at most {max} characters).',
  'error.dispatch.invalid_transition': 'The incident cannot go from “{from}” to “{to}”.',
  'error.dispatch.closure_code': 'Give the closure code.',
  'error.dispatch.closure_code_unknown': 'There is no closure code “{code}”; choose one from the list.',
  'error.dispatch.reason': 'Give the reason.',
  'error.dispatch.unit_not_taskable': 'You cannot assign unit {unit}: it belongs to an agency you do not dispatch.',
  'error.dispatch.unit_out_of_service': 'Unit {unit} is out of service.',
  'error.dispatch.incident_not_open': 'Incident {folio} is not open.',
  'error.dispatch.unit_unavailable': 'Unit {unit} is no longer available: another dispatcher assigned it.',
  'error.dispatch.unit_transition': 'The unit cannot go from “{from}” to “{to}”.',
  'error.dispatch.unit_changed': 'Unit {unit} changed status meanwhile; try again.',
  'error.dispatch.no_assignment': 'Unit {unit} has no active assignment.',
  'error.dispatch.alert_acknowledged': 'The alert was already acknowledged.',
  'error.dispatch.call_sign_taken': 'A unit with call sign {callSign} already exists.',
  'error.dispatch.transfer_invalid': 'The EIDO document is not valid: {detail}',
  'error.dispatch.same_centre': 'The place is in this centre’s state: create the incident here.',
  'error.dispatch.transfer_accepted': 'The transfer was already accepted.',
  'error.dispatch.metrics_range': 'The period is not valid: “from” must come before “to” and span at most a year.',
};

const catalogues: Record<Language, Record<MessageKey, string>> = { es, en };

export function t(lang: Language, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalogues[lang][key] ?? catalogues.es[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/** Picks the language: explicit cookie, then Accept-Language, then Spanish. */
export function pickLanguage(cookie: string | undefined, acceptLanguage: string | undefined): Language {
  if (cookie === 'es' || cookie === 'en') return cookie;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if (tag === 'es' || tag === 'en') return tag;
  }
  return 'es';
}
