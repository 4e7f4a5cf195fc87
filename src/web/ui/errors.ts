import { ApiError } from '../api.js';

/** An error to show in a form: the server's (already localized) message and the field at fault. */
export type FormError = { message: string; field?: string };

/** The form field an API error points at (`roles.0` → `roles`). */
export function fieldOf(err: ApiError): string | undefined {
  return err.field?.split('.')[0];
}

export function toFormError(err: unknown, fallback: string): FormError {
  if (err instanceof ApiError) return { message: err.message, field: fieldOf(err) };
  return { message: fallback };
}

/** The message for one field, when the error is about it. */
export function errorFor(err: FormError | null, field: string): string | undefined {
  return err && err.field === field ? err.message : undefined;
}

/** The message for the form as a whole: an error about none of the given fields. */
export function formLevel(err: FormError | null, fields: readonly string[]): string | undefined {
  if (!err) return undefined;
  return err.field && fields.includes(err.field) ? undefined : err.message;
}
