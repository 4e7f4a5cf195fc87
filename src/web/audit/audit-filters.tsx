import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { AUDIT_OUTCOMES, type AuditFilter, type AuditOutcome } from '../api.js';
import { Field, controlAria } from '../ui/field.js';

/** The filter as typed: datetime-local values (local time), turned into ISO instants on apply. */
export type FilterDraft = { from: string; to: string; actor: string; action: string; outcome: AuditOutcome | '' };
export const EMPTY_DRAFT: FilterDraft = { from: '', to: '', actor: '', action: '', outcome: '' };

const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);
export const toFilter = (d: FilterDraft): AuditFilter => ({
  from: toIso(d.from),
  to: toIso(d.to),
  actor: d.actor || undefined,
  action: d.action || undefined,
  outcome: d.outcome,
});

type AuditFiltersProps = {
  initial: FilterDraft;
  knownActions: string[];
  onApply: (d: FilterDraft) => void;
  fieldError: { field: string; message: string } | null;
};

export function AuditFilters({ initial, knownActions, onApply, fieldError }: AuditFiltersProps) {
  const { t } = useTranslation();
  const [d, setD] = useState<FilterDraft>(initial);
  const [rangeError, setRangeError] = useState(false);
  const set = <K extends keyof FilterDraft>(k: K, v: FilterDraft[K]) => setD((x) => ({ ...x, [k]: v }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (d.from && d.to && new Date(d.from) >= new Date(d.to)) {
      setRangeError(true);
      return;
    }
    setRangeError(false);
    onApply(d);
  };
  const err = (f: keyof FilterDraft) =>
    f === 'to' && rangeError ? t('audit.rangeInvalid') : fieldError?.field === f ? fieldError.message : undefined;

  return (
    <form className="filters" onSubmit={submit} noValidate data-testid="audit-filters" role="search">
      <Field id="audit-from" label={t('audit.from')} error={err('from')}>
        <input
          id="audit-from"
          type="datetime-local"
          step={1}
          value={d.from}
          onChange={(e) => set('from', e.target.value)}
          data-testid="audit-from"
          {...controlAria('audit-from', err('from'))}
        />
      </Field>
      <Field id="audit-to" label={t('audit.to')} error={err('to')}>
        <input
          id="audit-to"
          type="datetime-local"
          step={1}
          value={d.to}
          onChange={(e) => set('to', e.target.value)}
          data-testid="audit-to"
          {...controlAria('audit-to', err('to'))}
        />
      </Field>
      <Field id="audit-actor" label={t('audit.actor')} error={err('actor')}>
        <input
          id="audit-actor"
          value={d.actor}
          onChange={(e) => set('actor', e.target.value)}
          autoComplete="off"
          spellCheck={false}
          data-testid="audit-actor"
          {...controlAria('audit-actor', err('actor'))}
        />
      </Field>
      <Field id="audit-action" label={t('audit.action')} error={err('action')}>
        <input
          id="audit-action"
          list="audit-actions"
          value={d.action}
          onChange={(e) => set('action', e.target.value)}
          autoComplete="off"
          spellCheck={false}
          data-testid="audit-action"
          {...controlAria('audit-action', err('action'))}
        />
      </Field>
      <datalist id="audit-actions">
        {knownActions.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <Field id="audit-outcome" label={t('audit.outcome')} error={err('outcome')}>
        <select
          id="audit-outcome"
          value={d.outcome}
          onChange={(e) => set('outcome', e.target.value as AuditOutcome | '')}
          data-testid="audit-outcome"
        >
          <option value="">{t('common.all')}</option>
          {AUDIT_OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {t(`audit.outcomes.${o}`)}
            </option>
          ))}
        </select>
      </Field>
      <div className="filters-actions">
        <button type="submit" className="btn btn--primary" data-testid="audit-apply">
          {t('audit.apply')}
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => {
            setD(EMPTY_DRAFT);
            setRangeError(false);
            onApply(EMPTY_DRAFT);
          }}
          data-testid="audit-clear"
        >
          {t('audit.clear')}
        </button>
      </div>
    </form>
  );
}
