import { Fragment, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.js';
import { Link } from '../router.js';
import { Alert } from '../ui/alert.js';
import { applyAmendments, getPath, missingForSignature } from '../../records/iph.content.js';
import { IPH_EDITABLE_PARTS, type IphEditablePart } from '../../records/iph.types.js';
import {
  amendIph,
  getIph,
  listDetentions,
  listEvidence,
  saveIph,
  signIph,
  verifyIph,
  type Detention,
  type EvidenceSummary,
  type IphContent,
  type IphView,
  type Verification,
} from './iph-api.js';
import { Control, SpecForm, SpecView, formatDateTime } from './iph-form.js';
import { Hash, PasswordDialog, StatusBadge, VerificationResult, errorMessage, useAgencies } from './iph-shared.js';
import { DETENTION_SPEC, IPH_SPECS, type ScalarSpec } from './iph-specs.js';

type Obj = Record<string, unknown>;
type FieldError = { part: string; field: string; message: string } | null;

/** A server error's field (`sections.place.postalCode`, `narrative.text`, `crimeCode`) as part + field. */
function splitError(err: unknown): FieldError {
  if (!(err instanceof ApiError) || !err.field) return null;
  const path = err.field.replace(/^sections\./, '').split('.');
  if (path[0] === 'crimeCode') return { part: 'classification', field: 'crimeCode', message: err.message };
  return IPH_EDITABLE_PARTS.includes(path[0] as IphEditablePart)
    ? { part: path[0], field: path.slice(1).join('.'), message: err.message }
    : null;
}

/** Where each amendment landed, for the superscripts of the view and the print. */
export function amendmentMarks(view: IphView): Map<string, number[]> {
  const marks = new Map<string, number[]>();
  for (const a of view.amendments) {
    const key = `${a.section}.${a.field}`;
    marks.set(key, [...(marks.get(key) ?? []), a.seq]);
  }
  return marks;
}

/**
 * One IPH: the draft's sections to fill (each saved on its own, phone-friendly), the
 * signature, and once signed the read-only report with its signed amendments and the
 * integrity check.
 */
export default function IphPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const agencies = useAgencies();
  const [view, setView] = useState<IphView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [drafts, setDrafts] = useState<Partial<Record<IphEditablePart, Obj>>>({});
  const [crimeCode, setCrimeCode] = useState('');
  const [saving, setSaving] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<FieldError>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [signing, setSigning] = useState(false);
  const [detentions, setDetentions] = useState<Detention[]>([]);
  const [evidence, setEvidence] = useState<EvidenceSummary[]>([]);
  const [verification, setVerification] = useState<Verification | null>(null);
  const [open, setOpen] = useState<string>('responder');

  const adopt = (v: IphView) => {
    setView(v);
    setCrimeCode(v.crimeCode ?? '');
    setDrafts(Object.fromEntries(IPH_EDITABLE_PARTS.map((p) => [p, v.content[p] as Obj])));
  };

  useEffect(() => {
    let live = true;
    getIph(id)
      .then((v) => live && adopt(v))
      .catch((err: unknown) => live && setLoadError(errorMessage(err, t('common.unexpectedError'))));
    listDetentions({ iphId: id })
      .then((r) => live && setDetentions(r.detentions))
      .catch(() => undefined);
    listEvidence({ iphId: id })
      .then((r) => live && setEvidence(r.items))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [id, t]);

  const effective = useMemo(() => (view ? applyAmendments(view.content, view.amendments) : null), [view]);
  const marks = useMemo(() => (view ? amendmentMarks(view) : new Map<string, number[]>()), [view]);

  if (loadError)
    return (
      <div className="page page--narrow">
        <Alert kind="error">{loadError}</Alert>
      </div>
    );
  if (!view || !effective) return <p className="page muted">{t('common.loading')}</p>;

  const signed = view.status === 'signed';
  const save = async (part: IphEditablePart | 'classification') => {
    setSaving(part);
    setSaved(null);
    setFieldError(null);
    setFormError(null);
    try {
      const body =
        part === 'classification'
          ? { expectedVersion: view.version, crimeCode: crimeCode.trim() || null }
          : { expectedVersion: view.version, sections: { [part]: drafts[part] } };
      const next = await saveIph(id, body);
      setView(next);
      // The server's copy is the saved one (trimmed, in its own key order): the form continues from it.
      if (part !== 'classification') setDrafts((d) => ({ ...d, [part]: next.content[part] as Obj }));
      setSaved(part);
    } catch (err) {
      const fe = splitError(err);
      if (fe) setFieldError(fe);
      else setFormError(errorMessage(err, t('common.unexpectedError')));
    } finally {
      setSaving(null);
    }
  };
  const dirty = (part: IphEditablePart) => JSON.stringify(drafts[part]) !== JSON.stringify(view.content[part]);
  const missing = missingForSignature(view.content, view.crimeCode, detentions.length);

  // Annex A sits where the 2020 format puts it, after section 5.
  const annexA = (
    <section className="card" aria-labelledby="iph-detentions-title" data-testid="iph-detentions">
      <h2 id="iph-detentions-title" className="card-title">
        {t('iph.part.annexA')}
      </h2>
      {signed ? (
        <AnnexA content={view.content} />
      ) : (
        <>
          {detentions.length ? (
            <ul className="rec-links">
              {detentions.map((d) => (
                <li key={d.id}>
                  <Link to={`/detenciones/${d.id}`} className="mono" data-testid="iph-detention-link">
                    {d.folio}
                  </Link>{' '}
                  {[d.record.person.givenNames, d.record.person.firstSurname].filter(Boolean).join(' ')} · <StatusBadge status={d.status} />
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{t('iph.noDetentions')}</p>
          )}
          {view.can.edit ? (
            <Link to={`/detenciones/nueva?iph=${id}`} className="btn btn--small" data-testid="iph-add-detention">
              {t('detention.new')}
            </Link>
          ) : null}
        </>
      )}
    </section>
  );

  return (
    <div className="page rec-page" data-testid="iph-page" data-status={view.status} data-version={view.version}>
      <header className="page-head">
        <div>
          <h1 className="page-title mono" data-testid="iph-folio">
            {view.folio}
          </h1>
          <p className="page-subtitle">
            <StatusBadge status={view.status} /> {view.agencyName}
            {view.incidentFolio ? (
              <>
                {' · '}
                {t('iph.incident')} <span className="mono">{view.incidentFolio}</span>
              </>
            ) : null}
          </p>
        </div>
        <div className="page-head-actions">
          <Link to="/iph" className="btn btn--small">
            {t('iph.backToList')}
          </Link>
          <Link to={`/iph/${id}/imprimir`} className="btn btn--small" data-testid="iph-print">
            {t('records.print')}
          </Link>
          {view.can.sign ? (
            <button type="button" className="btn btn--primary" onClick={() => setSigning(true)} data-testid="iph-sign">
              {t('iph.sign')}
            </button>
          ) : null}
        </div>
      </header>

      {formError ? (
        <Alert kind="error" testId="iph-error" onClose={() => setFormError(null)} closeLabel={t('common.close')}>
          {formError}
        </Alert>
      ) : null}
      {!signed && !view.can.edit ? <Alert kind="info">{t('iph.readOnlyDraft')}</Alert> : null}

      <section className="card" aria-labelledby="iph-class-title">
        <h2 id="iph-class-title" className="card-title">
          {t('iph.classification')}
        </h2>
        {view.can.edit ? (
          <div className="rec-inline">
            <Control
              spec={{ key: 'crimeCode', kind: 'text', max: 32 }}
              value={crimeCode}
              onChange={(v) => setCrimeCode(typeof v === 'string' ? v : '')}
              id="iph-crime-code"
              label={t('iph.crimeCode')}
              error={fieldError?.part === 'classification' ? fieldError.message : undefined}
              agencies={agencies}
            />
            <button
              type="button"
              className="btn"
              onClick={() => void save('classification')}
              disabled={saving !== null || crimeCode === (view.crimeCode ?? '')}
              data-testid="iph-save-classification"
            >
              {t('common.save')}
            </button>
          </div>
        ) : (
          <p>
            {t('iph.crimeCode')}: <strong className="mono">{view.crimeCode ?? t('common.emptyValue')}</strong>
          </p>
        )}
        <p className="field-help">{t('iph.crimeCodeHelp')}</p>
      </section>

      {IPH_SPECS.map(({ part, fields }) => (
        <Fragment key={part}>
          {part === 'annexB' ? annexA : null}
          <details
            className="card rec-section"
            open={open === part}
            onToggle={(e) => {
              if ((e.target as HTMLDetailsElement).open) setOpen(part);
            }}
            data-testid={`iph-section-${part}`}
          >
            <summary>
              <span className="rec-section-title">{t(`iph.part.${part}`)}</span>
              {view.can.edit && dirty(part) ? <span className="badge badge--warning">{t('iph.unsaved')}</span> : null}
              {saved === part && !dirty(part) ? <span className="badge badge--ok">{t('iph.saved')}</span> : null}
            </summary>
            <p className="field-help">{t(`iph.partHelp.${part}`)}</p>
            {view.can.edit ? (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  void save(part);
                }}
              >
                <SpecForm
                  spec={fields}
                  value={drafts[part] ?? {}}
                  onChange={(v) => setDrafts((d) => ({ ...d, [part]: v }))}
                  labelPrefix={`iph.f.${part}`}
                  idPrefix={`iph-${part}`}
                  listDefaultsPrefix={part}
                  error={fieldError?.part === part ? fieldError : null}
                  agencies={agencies}
                />
                <div className="form-actions">
                  <button
                    type="submit"
                    className="btn btn--primary"
                    disabled={saving !== null || !dirty(part)}
                    data-testid={`iph-save-${part}`}
                  >
                    {saving === part ? t('iph.saving') : t('iph.saveSection')}
                  </button>
                </div>
              </form>
            ) : (
              <SpecView
                spec={fields}
                value={effective[part] as Obj}
                labelPrefix={`iph.f.${part}`}
                agencies={agencies}
                marks={marks}
                markPrefix={`${part}.`}
                testId={`iph-view-${part}`}
              />
            )}
          </details>
        </Fragment>
      ))}

      <section className="card" aria-labelledby="iph-evidence-title" data-testid="iph-evidence">
        <h2 id="iph-evidence-title" className="card-title">
          {t('evidence.title')}
        </h2>
        {evidence.length ? (
          <ul className="rec-links">
            {evidence.map((e) => (
              <li key={e.id}>
                <Link to={`/indicios/${e.id}`} className="mono" data-testid="iph-evidence-link">
                  {e.folio}
                </Link>{' '}
                {t(`evidence.kind.${e.kind}`)} · {e.description.slice(0, 80)}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('evidence.none')}</p>
        )}
        {view.can.edit || view.can.amend ? (
          <Link to={`/indicios/nuevo?iph=${id}`} className="btn btn--small" data-testid="iph-add-evidence">
            {t('evidence.new')}
          </Link>
        ) : null}
      </section>

      {signed && view.signature ? (
        <section className="card" aria-labelledby="iph-signature-title" data-testid="iph-signature">
          <h2 id="iph-signature-title" className="card-title">
            {t('iph.signature')}
          </h2>
          <dl className="kv">
            <dt>{t('iph.signedBy')}</dt>
            <dd>{view.signature.signerName}</dd>
            <dt>{t('iph.signedAt')}</dt>
            <dd>{formatDateTime(view.signature.signedAt)}</dd>
            <dt>{t('iph.contentHash')}</dt>
            <dd>
              <Hash value={view.signature.contentHash} testId="iph-hash" />
            </dd>
          </dl>
          <button
            type="button"
            className="btn"
            onClick={() => {
              setVerification(null);
              verifyIph(id)
                .then(setVerification)
                .catch((err: unknown) => setFormError(errorMessage(err, t('common.unexpectedError'))));
            }}
            data-testid="iph-verify"
          >
            {t('records.verify.button')}
          </button>
          {verification ? <VerificationResult value={verification} testId="iph-verify-result" /> : null}
        </section>
      ) : null}

      {signed ? <Amendments view={view} onChange={setView} /> : null}

      <PasswordDialog
        open={signing}
        title={t('iph.signTitle', { folio: view.folio })}
        confirmLabel={t('iph.sign')}
        onCancel={() => setSigning(false)}
        onConfirm={async (password) => {
          try {
            const next = await signIph(id, password);
            adopt(next);
            setSigning(false);
          } catch (err) {
            const fe = splitError(err);
            if (fe) {
              setFieldError(fe);
              if (fe.part !== 'classification') setOpen(fe.part);
            }
            throw err;
          }
        }}
        testId="iph-sign-dialog"
      >
        <p>{t('iph.signExplain')}</p>
        {missing.length ? (
          <Alert kind="warning">
            <strong>{t('iph.missingTitle')}</strong>
            <ul data-testid="iph-missing">
              {missing.map((m) => (
                <li key={m.code}>{t(`iph.required.${m.code}`)}</li>
              ))}
            </ul>
          </Alert>
        ) : null}
      </PasswordDialog>
    </div>
  );
}

/** Annex A as signed: the detention register's records copied into the IPH. */
export function AnnexA({ content }: { content: IphContent }) {
  const { t } = useTranslation();
  const agencies = useAgencies();
  if (!content.annexA.detentions.length) return <p className="muted">{t('iph.noDetentions')}</p>;
  return (
    <>
      {content.annexA.detentions.map((d) => (
        <div key={d.id} className="rec-view-item" data-testid="iph-annex-a-detention">
          <strong className="mono">{d.folio}</strong>
          <SpecView spec={DETENTION_SPEC} value={d.record as unknown as Obj} labelPrefix="detention.f" agencies={agencies} />
          {d.handover ? (
            <p>
              {t('detention.handedTo', {
                authority: d.handover.authority || d.handover.prosecutorAgencyName,
                name: d.handover.receiverName,
                at: formatDateTime(d.handover.at),
              })}
            </p>
          ) : null}
        </div>
      ))}
    </>
  );
}

/** The scalar fields of a part, for choosing what an amendment corrects. */
function scalarFields(part: IphEditablePart): ScalarSpec[] {
  return (IPH_SPECS.find((s) => s.part === part)?.fields ?? []).filter((f): f is ScalarSpec => f.kind !== 'list');
}

/** The signed amendments, and the form to add one (section, field, new value, reason, password). */
function Amendments({ view, onChange }: { view: IphView; onChange: (v: IphView) => void }) {
  const { t } = useTranslation();
  const agencies = useAgencies();
  const [section, setSection] = useState<IphEditablePart>('narrative');
  const [field, setField] = useState('text');
  const [customPath, setCustomPath] = useState('');
  const [value, setValue] = useState<unknown>(null);
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const effective = applyAmendments(view.content, view.amendments);
  const specs = scalarFields(section);
  const spec = specs.find((s) => s.key === field);
  const path = field === '__custom' ? customPath.trim() : field;

  const choose = (part: IphEditablePart, key: string) => {
    setSection(part);
    setField(key);
    setValue(key === '__custom' ? '' : (getPath(effective[part], key) ?? null));
  };

  return (
    <section className="card" aria-labelledby="iph-amend-title" data-testid="iph-amendments">
      <h2 id="iph-amend-title" className="card-title">
        {t('iph.amendments')}
      </h2>
      {view.amendments.length ? (
        <div className="table-wrap">
          <table className="table table--dense">
            <thead>
              <tr>
                <th>#</th>
                <th>{t('iph.amendField')}</th>
                <th>{t('iph.amendOld')}</th>
                <th>{t('iph.amendNew')}</th>
                <th>{t('iph.amendReason')}</th>
                <th>{t('iph.signedBy')}</th>
                <th>{t('records.hash')}</th>
              </tr>
            </thead>
            <tbody>
              {view.amendments.map((a) => (
                <tr key={a.id} data-testid="iph-amendment-row" data-seq={a.seq}>
                  <td>E{a.seq}</td>
                  <td>
                    {t(`iph.part.${a.section}`)} · <span className="mono">{a.field}</span>
                  </td>
                  <td className="rec-pre">{displayJson(a.oldValue)}</td>
                  <td className="rec-pre">{displayJson(a.newValue)}</td>
                  <td>{a.reason}</td>
                  <td>
                    {a.signerName}
                    <br />
                    <span className="muted small">{formatDateTime(a.signedAt)}</span>
                  </td>
                  <td>
                    <Hash value={a.hash} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">{t('iph.noAmendments')}</p>
      )}
      {view.can.amend ? (
        <form
          className="rec-grid"
          onSubmit={(e) => {
            e.preventDefault();
            setConfirming(true);
          }}
        >
          <div className="field">
            <label htmlFor="iph-amend-section">{t('iph.amendSection')}</label>
            <select
              id="iph-amend-section"
              value={section}
              onChange={(e) => {
                const part = e.target.value as IphEditablePart;
                choose(part, scalarFields(part)[0]?.key ?? '__custom');
              }}
              data-testid="iph-amend-section"
            >
              {IPH_EDITABLE_PARTS.map((p) => (
                <option key={p} value={p}>
                  {t(`iph.part.${p}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="iph-amend-field">{t('iph.amendField')}</label>
            <select id="iph-amend-field" value={field} onChange={(e) => choose(section, e.target.value)} data-testid="iph-amend-field">
              {specs.map((s) => (
                <option key={s.key} value={s.key}>
                  {t(`iph.f.${section}.${s.key.replace(/\./g, '_')}`)}
                </option>
              ))}
              <option value="__custom">{t('iph.amendCustom')}</option>
            </select>
          </div>
          {field === '__custom' ? (
            <>
              <div className="field">
                <label htmlFor="iph-amend-path">{t('iph.amendPath')}</label>
                <input
                  id="iph-amend-path"
                  value={customPath}
                  onChange={(e) => setCustomPath(e.target.value)}
                  data-testid="iph-amend-path"
                />
              </div>
              <div className="field rec-wide">
                <label htmlFor="iph-amend-value">{t('iph.amendNew')}</label>
                <textarea
                  id="iph-amend-value"
                  rows={3}
                  value={typeof value === 'string' ? value : JSON.stringify(value ?? '')}
                  onChange={(e) => setValue(e.target.value)}
                  data-testid="iph-amend-value"
                />
                <p className="field-help">{t('iph.amendCustomHelp')}</p>
              </div>
            </>
          ) : spec ? (
            <Control
              spec={{ ...spec, wide: true }}
              value={value}
              onChange={setValue}
              id="iph-amend-value"
              label={t('iph.amendNew')}
              agencies={agencies}
            />
          ) : null}
          <div className="field rec-wide">
            <label htmlFor="iph-amend-reason">{t('iph.amendReason')}</label>
            <textarea
              id="iph-amend-reason"
              rows={2}
              maxLength={1000}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              data-testid="iph-amend-reason"
            />
          </div>
          <div className="form-actions rec-wide">
            <button type="submit" className="btn btn--primary" disabled={!reason.trim() || !path} data-testid="iph-amend-submit">
              {t('iph.amendSubmit')}
            </button>
          </div>
        </form>
      ) : null}
      <PasswordDialog
        open={confirming}
        title={t('iph.amendTitle')}
        confirmLabel={t('iph.amendSign')}
        onCancel={() => setConfirming(false)}
        onConfirm={async (password) => {
          const newValue = field === '__custom' && typeof value === 'string' ? parseLoose(value) : value;
          const next = await amendIph(view.id, { section, field: path, newValue, reason, password });
          onChange(next);
          setConfirming(false);
          setReason('');
        }}
        testId="iph-amend-dialog"
      >
        <p>
          {t(`iph.part.${section}`)} · <span className="mono">{path}</span>
        </p>
      </PasswordDialog>
    </section>
  );
}

/** A value typed for a custom path: JSON when it parses (numbers, objects), else the text itself. */
function parseLoose(v: string): unknown {
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

export const displayJson = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v, null, 1));
