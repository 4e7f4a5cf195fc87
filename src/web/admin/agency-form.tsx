import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { AGENCY_KINDS, AGENCY_LEVELS, createAgency, type Agency, type AgencyKind, type AgencyLevel } from '../api.js';
import { useSession } from '../app-context.js';
import { Alert } from '../ui/alert.js';
import { Field, controlAria } from '../ui/field.js';
import { errorFor, formLevel, toFormError, type FormError } from '../ui/errors.js';
import { possibleParents } from './agency-tree.js';
import { useMunicipalities, useStates } from './geo-catalogue.js';

const FIELDS = ['code', 'name', 'level', 'kind', 'stateCode', 'municipalityCode', 'parentId'] as const;

type AgencyFormProps = { agencies: Agency[]; manageable: Agency[]; onCreated: (a: Agency) => void; onCancel: () => void };

/** New agency: code, name, level, kind, jurisdiction and parent. */
export function AgencyForm({ agencies, manageable, onCreated, onCancel }: AgencyFormProps) {
  const { t } = useTranslation();
  const session = useSession();
  const isSystemAdmin = session.user.roles.includes('system_admin');
  const own = session.agency;
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [level, setLevel] = useState<AgencyLevel>(isSystemAdmin ? 'state' : own.level === 'federal' ? 'state' : own.level);
  const [kind, setKind] = useState<AgencyKind>('police');
  const [stateCode, setStateCode] = useState<string>(isSystemAdmin ? '' : (own.stateCode ?? ''));
  const [municipalityCode, setMunicipalityCode] = useState('');
  const [parentId, setParentId] = useState<string>(isSystemAdmin ? '' : own.id);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const states = useStates();
  const municipalities = useMunicipalities(level === 'municipal' && stateCode ? stateCode : null);

  const parents = useMemo(
    () => possibleParents(isSystemAdmin ? agencies : manageable, level, level === 'federal' ? null : stateCode || null),
    [agencies, manageable, isSystemAdmin, level, stateCode],
  );
  useEffect(() => {
    if (parentId && !parents.some((p) => p.id === parentId)) setParentId('');
  }, [parents, parentId]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const missing = !code.trim()
      ? 'code'
      : !name.trim()
        ? 'name'
        : level !== 'federal' && !stateCode
          ? 'stateCode'
          : level === 'municipal' && !municipalityCode
            ? 'municipalityCode'
            : null;
    if (missing) {
      setError({ message: t('common.required'), field: missing });
      document.getElementById(`agency-${missing}`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const created = await createAgency({
        code: code.trim(),
        name: name.trim(),
        level,
        kind,
        stateCode: level === 'federal' ? null : stateCode,
        municipalityCode: level === 'municipal' ? municipalityCode : null,
        parentId: parentId || null,
      });
      onCreated(created);
    } catch (err) {
      const fe = toFormError(err, t('common.unexpectedError'));
      setError(fe);
      if (fe.field) document.getElementById(`agency-${fe.field}`)?.focus();
    } finally {
      setBusy(false);
    }
  };

  const err = (f: string) => errorFor(error, f);
  const general = formLevel(error, FIELDS);
  return (
    <form className="card form form--grid" onSubmit={submit} noValidate data-testid="agency-form" aria-labelledby="agency-form-title">
      <h2 id="agency-form-title" className="card-title form-span">
        {t('agencies.new')}
      </h2>
      {general ? (
        <div className="form-span">
          <Alert kind="error">{general}</Alert>
        </div>
      ) : null}
      <Field id="agency-code" label={t('agencies.code')} error={err('code')} help={t('agencies.codeHelp')}>
        <input
          id="agency-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          data-testid="agency-code"
          {...controlAria('agency-code', err('code'), true)}
        />
      </Field>
      <Field id="agency-name" label={t('agencies.name')} error={err('name')} className="form-span-2">
        <input
          id="agency-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          autoComplete="off"
          data-testid="agency-name"
          {...controlAria('agency-name', err('name'))}
        />
      </Field>
      <Field id="agency-level" label={t('agencies.level')} error={err('level')}>
        <select
          id="agency-level"
          value={level}
          onChange={(e) => setLevel(e.target.value as AgencyLevel)}
          data-testid="agency-level"
          {...controlAria('agency-level', err('level'))}
        >
          {AGENCY_LEVELS.filter((l) => isSystemAdmin || l !== 'federal').map((l) => (
            <option key={l} value={l}>
              {t(`levels.${l}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="agency-kind" label={t('agencies.kind')} error={err('kind')}>
        <select
          id="agency-kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as AgencyKind)}
          data-testid="agency-kind"
          {...controlAria('agency-kind', err('kind'))}
        >
          {AGENCY_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`kinds.${k}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="agency-stateCode" label={t('agencies.state')} error={err('stateCode')}>
        <select
          id="agency-stateCode"
          value={level === 'federal' ? '' : stateCode}
          disabled={level === 'federal' || (!isSystemAdmin && !!own.stateCode)}
          onChange={(e) => {
            setStateCode(e.target.value);
            setMunicipalityCode('');
          }}
          data-testid="agency-state"
          {...controlAria('agency-stateCode', err('stateCode'))}
        >
          <option value="">{level === 'federal' ? t('agencies.national') : t('common.selectPlaceholder')}</option>
          {states.map((s) => (
            <option key={s.code} value={s.code}>
              {s.name}
            </option>
          ))}
        </select>
      </Field>
      <Field id="agency-municipalityCode" label={t('agencies.municipality')} error={err('municipalityCode')}>
        <select
          id="agency-municipalityCode"
          value={level === 'municipal' ? municipalityCode : ''}
          disabled={level !== 'municipal' || !stateCode}
          onChange={(e) => setMunicipalityCode(e.target.value)}
          data-testid="agency-municipality"
          {...controlAria('agency-municipalityCode', err('municipalityCode'))}
        >
          <option value="">{level === 'municipal' ? t('common.selectPlaceholder') : t('common.emptyValue')}</option>
          {municipalities.map((m) => (
            <option key={m.code} value={m.code}>
              {m.name}
            </option>
          ))}
        </select>
      </Field>
      <Field id="agency-parentId" label={t('agencies.parent')} error={err('parentId')} className="form-span-2">
        <select
          id="agency-parentId"
          value={parentId}
          onChange={(e) => setParentId(e.target.value)}
          data-testid="agency-parent"
          {...controlAria('agency-parentId', err('parentId'))}
        >
          {isSystemAdmin ? <option value="">{t('agencies.noParent')}</option> : null}
          {parents.map((p) => (
            <option key={p.id} value={p.id}>
              {p.code} · {p.name}
            </option>
          ))}
        </select>
      </Field>
      <div className="form-actions form-span">
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="agency-submit">
          {busy ? t('agencies.creating') : t('agencies.create')}
        </button>
      </div>
    </form>
  );
}
