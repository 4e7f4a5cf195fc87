/** Errors across the worker boundary: AppError's fields travel, anything else becomes a message. */
import { AppError } from '../../platform/errors.js';
import type { MessageKey } from '../../platform/i18n/messages.js';
import { isAnalysisError } from '../errors.js';
import type { WireError } from './protocol.js';

/** Library errors (src/analysis/errors.ts) as API errors naming the field at fault. */
export function fromAnalysisError(e: { code: string; field: string; message: string }): AppError {
  switch (e.code) {
    case 'analysis_empty_input':
      return new AppError(400, 'no_data', 'error.analysis.no_data', {}, e.field);
    case 'analysis_no_variance':
      return new AppError(400, 'no_variance', 'error.analysis.no_variance', {}, e.field);
    case 'analysis_too_few_observations':
      return new AppError(400, 'too_few', 'error.analysis.too_few', { detail: e.message }, e.field);
    case 'analysis_bad_grid':
      return new AppError(
        400,
        'too_many_cells',
        'error.analysis.parameter',
        { detail: e.message },
        e.field === 'grid' ? 'cellSize' : e.field,
      );
    default:
      return new AppError(400, 'bad_parameter', 'error.analysis.parameter', { detail: e.message }, e.field);
  }
}

export function toWire(err: unknown): WireError {
  const e = isAnalysisError(err) ? fromAnalysisError(err) : err;
  if (e instanceof AppError) return { status: e.status, code: e.code, messageKey: e.messageKey, params: e.params, field: e.field };
  return { message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
}

export function fromWire(w: WireError): Error {
  if ('messageKey' in w) return new AppError(w.status, w.code, w.messageKey as MessageKey, w.params, w.field);
  return new Error(`analysis worker: ${w.message}`);
}
