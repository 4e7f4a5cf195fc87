import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { Agency } from '../api.js';
import { getPath, setPath } from '../../records/iph.content.js';
import { currentLanguage, locale } from '../i18n.js';
import { LIST_DEFAULTS, labelKey, type FieldSpec, type ListSpec, type ScalarSpec } from './iph-specs.js';

type Obj = Record<string, unknown>;

/** ISO instant ↔ the value of a `datetime-local` input (the device's local time). */
export function toLocalInput(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export const fromLocalInput = (v: string): string | null => (v ? new Date(v).toISOString() : null);

export function formatDateTime(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(locale(currentLanguage()), { dateStyle: 'short', timeStyle: 'short' });
}

const empty = (v: unknown) => v === undefined || v === null || v === '';

/** A value as a reader sees it: labels for codes, Sí/No, local date-times, agency names. */
export function formatValue(spec: ScalarSpec, v: unknown, t: TFunction, agencies: readonly Agency[] = []): string {
  if (empty(v)) return t('common.emptyValue');
  switch (spec.kind) {
    case 'select':
      return t(`${spec.labels}.${String(v)}`, { defaultValue: String(v) });
    case 'bool':
      return v ? t('common.yes') : t('common.no');
    case 'datetime':
      return formatDateTime(v);
    case 'prosecutor':
    case 'agency':
      return agencies.find((a) => a.id === v)?.name ?? String(v);
    default:
      return String(v);
  }
}

const testId = (prefix: string, key: string) => `${prefix}-${key.replace(/\./g, '-')}`;

type ControlProps = {
  spec: ScalarSpec;
  value: unknown;
  onChange: (v: unknown) => void;
  id: string;
  label: string;
  error?: string;
  agencies: readonly Agency[];
};

/** One control; empty inputs become null so that the record says "sin información" explicitly. */
export function Control({ spec, value, onChange, id, label, error, agencies }: ControlProps) {
  const { t } = useTranslation();
  const aria = { 'aria-invalid': error ? true : undefined, 'aria-describedby': error ? `${id}-error` : undefined } as const;
  let control;
  switch (spec.kind) {
    case 'textarea':
      control = (
        <textarea
          id={id}
          rows={spec.max && spec.max > 4000 ? 8 : 3}
          maxLength={spec.max}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}
          data-testid={id}
          {...aria}
        />
      );
      break;
    case 'int':
    case 'number':
      control = (
        <input
          id={id}
          type="number"
          inputMode={spec.kind === 'int' ? 'numeric' : 'decimal'}
          step={spec.kind === 'int' ? 1 : 'any'}
          value={typeof value === 'number' ? value : ''}
          onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
          data-testid={id}
          {...aria}
        />
      );
      break;
    case 'datetime':
      control = (
        <input
          id={id}
          type="datetime-local"
          value={toLocalInput(value)}
          onChange={(e) => onChange(fromLocalInput(e.target.value))}
          data-testid={id}
          {...aria}
        />
      );
      break;
    case 'date':
      control = (
        <input
          id={id}
          type="date"
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value || null)}
          data-testid={id}
          {...aria}
        />
      );
      break;
    case 'bool':
      control = (
        <select
          id={id}
          value={value === true ? 'true' : value === false ? 'false' : ''}
          onChange={(e) => onChange(e.target.value === '' ? null : e.target.value === 'true')}
          data-testid={id}
          {...aria}
        >
          <option value="">{t('common.emptyValue')}</option>
          <option value="true">{t('common.yes')}</option>
          <option value="false">{t('common.no')}</option>
        </select>
      );
      break;
    case 'select':
      control = (
        <select
          id={id}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value || null)}
          data-testid={id}
          {...aria}
        >
          <option value="">{t('common.selectPlaceholder')}</option>
          {spec.options.map((o) => (
            <option key={o} value={o}>
              {t(`${spec.labels}.${o}`)}
            </option>
          ))}
        </select>
      );
      break;
    case 'prosecutor':
    case 'agency': {
      const list = spec.kind === 'prosecutor' ? agencies.filter((a) => a.kind === 'prosecutor') : agencies.filter((a) => !a.disabled);
      control = (
        <select
          id={id}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value || null)}
          data-testid={id}
          {...aria}
        >
          <option value="">{t('common.selectPlaceholder')}</option>
          {list.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      );
      break;
    }
    default:
      control = (
        <input
          id={id}
          type="text"
          maxLength={spec.max}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}
          data-testid={id}
          {...aria}
        />
      );
  }
  return (
    <div className={`field${error ? ' field--error' : ''}${spec.wide || spec.kind === 'textarea' ? ' rec-wide' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {control}
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export type SpecFormProps = {
  spec: FieldSpec[];
  value: Obj;
  onChange: (next: Obj) => void;
  /** i18n prefix of the labels (`iph.f.place`). */
  labelPrefix: string;
  /** Prefix of ids and test ids (`iph-place`). */
  idPrefix: string;
  /** Key of LIST_DEFAULTS for new list entries: `<listDefaultsPrefix>.<list key>`. */
  listDefaultsPrefix: string;
  /** The server's error, with its field relative to `value` (`postalCode`, `interviews.0.age`). */
  error?: { field: string; message: string } | null;
  agencies?: readonly Agency[];
};

/** Edits a record described by a spec: phone-friendly, one column on narrow screens. */
export function SpecForm({ spec, value, onChange, labelPrefix, idPrefix, listDefaultsPrefix, error, agencies = [] }: SpecFormProps) {
  const { t } = useTranslation();
  const set = (path: string, v: unknown) => onChange(setPath(value, path, v) ?? value);
  const errorAt = (path: string) => (error && error.field === path ? error.message : undefined);
  return (
    <div className="rec-grid">
      {spec.map((f) =>
        f.kind === 'list' ? (
          <ListEditor
            key={f.key}
            spec={f}
            items={(getPath(value, f.key) as Obj[] | null | undefined) ?? []}
            onChange={(items) => set(f.key, items)}
            labelPrefix={labelPrefix}
            idPrefix={idPrefix}
            defaults={LIST_DEFAULTS[`${listDefaultsPrefix}.${f.key}`] ?? {}}
            errorAt={errorAt}
            agencies={agencies}
          />
        ) : (
          <Control
            key={f.key}
            spec={f}
            value={getPath(value, f.key)}
            onChange={(v) => set(f.key, v)}
            id={testId(idPrefix, f.key)}
            label={t(labelKey(labelPrefix, f.key))}
            error={errorAt(f.key)}
            agencies={agencies}
          />
        ),
      )}
    </div>
  );
}

function ListEditor({
  spec,
  items,
  onChange,
  labelPrefix,
  idPrefix,
  defaults,
  errorAt,
  agencies,
}: {
  spec: ListSpec;
  items: Obj[];
  onChange: (items: Obj[]) => void;
  labelPrefix: string;
  idPrefix: string;
  defaults: Obj;
  errorAt: (path: string) => string | undefined;
  agencies: readonly Agency[];
}) {
  const { t } = useTranslation();
  const listId = testId(idPrefix, spec.key);
  return (
    <fieldset className="rec-list rec-wide" data-testid={listId}>
      <legend>{t(labelKey(labelPrefix, spec.key))}</legend>
      {items.map((item, i) => (
        <div key={i} className="rec-list-item" data-testid={`${listId}-item`}>
          <div className="rec-list-head">
            <strong>
              {t(labelKey(labelPrefix, `${spec.key}_item`))} {i + 1}
            </strong>
            <button
              type="button"
              className="btn btn--small btn--ghost"
              onClick={() => onChange(items.filter((_, k) => k !== i))}
              data-testid={`${listId}-${i}-remove`}
            >
              {t('records.remove')}
            </button>
          </div>
          <div className="rec-grid">
            {spec.item.map((f) => (
              <Control
                key={f.key}
                spec={f}
                value={getPath(item, f.key)}
                onChange={(v) => onChange(items.map((x, k) => (k === i ? (setPath(x, f.key, v) ?? x) : x)))}
                id={`${listId}-${i}-${f.key.replace(/\./g, '-')}`}
                label={t(labelKey(labelPrefix, `${spec.key}.${f.key}`))}
                error={errorAt(`${spec.key}.${i}.${f.key}`)}
                agencies={agencies}
              />
            ))}
          </div>
        </div>
      ))}
      {items.length < spec.max ? (
        <button
          type="button"
          className="btn btn--small"
          onClick={() => onChange([...items, { ...defaults }])}
          data-testid={`${listId}-add`}
        >
          {t('records.add', { what: t(labelKey(labelPrefix, `${spec.key}_item`)) })}
        </button>
      ) : null}
    </fieldset>
  );
}

/** Reads a record described by a spec (view and print): every field, "—" where there is nothing. */
export function SpecView({
  spec,
  value,
  labelPrefix,
  agencies = [],
  marks,
  markPrefix = '',
  testId: id,
}: {
  spec: FieldSpec[];
  value: Obj;
  labelPrefix: string;
  agencies?: readonly Agency[];
  /** Amended paths (relative to `markPrefix`) → amendment numbers, shown as superscripts. */
  marks?: Map<string, number[]>;
  markPrefix?: string;
  testId?: string;
}) {
  const { t } = useTranslation();
  const mark = (path: string) => {
    const seqs = marks?.get(`${markPrefix}${path}`);
    return seqs?.length ? <sup className="rec-mark">{seqs.map((s) => `E${s}`).join(',')}</sup> : null;
  };
  return (
    <dl className="rec-view" data-testid={id}>
      {spec.map((f) =>
        f.kind === 'list' ? (
          <Fragment key={f.key}>
            <dt className="rec-wide">
              {t(labelKey(labelPrefix, f.key))}
              {mark(f.key)}
            </dt>
            <dd className="rec-wide">
              {((getPath(value, f.key) as Obj[] | null) ?? []).length ? (
                ((getPath(value, f.key) as Obj[]) ?? []).map((item, i) => (
                  <div key={i} className="rec-view-item">
                    <strong>
                      {t(labelKey(labelPrefix, `${f.key}_item`))} {i + 1}
                      {mark(`${f.key}.${i}`)}
                    </strong>
                    <dl className="rec-view">
                      {f.item.map((s) => (
                        <Fragment key={s.key}>
                          <dt>{t(labelKey(labelPrefix, `${f.key}.${s.key}`))}</dt>
                          <dd>
                            {formatValue(s, getPath(item, s.key), t, agencies)}
                            {mark(`${f.key}.${i}.${s.key}`)}
                          </dd>
                        </Fragment>
                      ))}
                    </dl>
                  </div>
                ))
              ) : (
                <span className="muted">{t('records.none')}</span>
              )}
            </dd>
          </Fragment>
        ) : (
          <Fragment key={f.key}>
            <dt className={f.kind === 'textarea' ? 'rec-wide' : undefined}>{t(labelKey(labelPrefix, f.key))}</dt>
            <dd
              className={f.kind === 'textarea' ? 'rec-wide rec-pre' : undefined}
              data-testid={id ? `${id}-${f.key.replace(/\./g, '-')}` : undefined}
            >
              {formatValue(f, getPath(value, f.key), t, agencies)}
              {mark(f.key)}
            </dd>
          </Fragment>
        ),
      )}
    </dl>
  );
}
