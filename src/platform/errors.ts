import type { MessageKey } from './i18n/messages.js';

/**
 * An error meant for the user: a stable code clients can branch on, an HTTP
 * status, the message key (localized at the edge), and the field at fault.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageKey: MessageKey,
    readonly params: Record<string, string | number> = {},
    readonly field?: string,
  ) {
    super(code);
  }
}

export const notFound = () => new AppError(404, 'not_found', 'error.not_found');
export const forbidden = () => new AppError(403, 'forbidden', 'error.forbidden');
export const unauthenticated = (expired = false) =>
  new AppError(401, expired ? 'session_expired' : 'unauthenticated', expired ? 'error.session_expired' : 'error.unauthenticated');
export const badRequest = (code: string, key: MessageKey, field?: string, params: Record<string, string | number> = {}) =>
  new AppError(400, code, key, params, field);
export const conflict = (code: string, key: MessageKey, field?: string) => new AppError(409, code, key, {}, field);
