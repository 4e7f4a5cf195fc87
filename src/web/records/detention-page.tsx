import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.js';
import { useSession } from '../app-context.js';
import { Link, navigate } from '../router.js';
import { Alert } from '../ui/alert.js';
import {
  getDetention,
  getIph,
  handOverDetention,
  registerDetention,
  updateDetention,
  type Detention,
  type DetentionRecordInput,
} from './iph-api.js';
import { SpecForm, SpecView, formatDateTime } from './iph-form.js';
import { StatusBadge, currentPosition, errorMessage, useAgencies } from './iph-shared.js';
import { DETENTION_SPEC, type FieldSpec } from './iph-specs.js';

type Obj = Record<string, unknown>;
type FieldError = { field: string; message: string } | null;

const HANDOVER_SPEC: FieldSpec[] = [
  { key: 'at', kind: 'datetime' },
  { key: 'prosecutorAgencyId', kind: 'prosecutor', wide: true },
  { key: 'authority', kind: 'text', max: 300, wide: true },
  { key: 'receiverName', kind: 'text', max: 200 },
  { key: 'receiverPosition', kind: 'text', max: 120 },
];

/** Optional groups left empty go as null (the server requires a trusted contact's name only when there is one). */
function clean(record: Obj): DetentionRecordInput {
  const out = structuredClone(record);
  const contact = out.trustedContact as Obj | null | undefined;
  if (contact && !contact.name) out.trustedContact = null;
  return out as unknown as DetentionRecordInput;
}

const fieldOf = (err: unknown, prefix: string): FieldError =>
  err instanceof ApiError && err.field?.startsWith(prefix) ? { field: err.field.slice(prefix.length), message: err.message } : null;

/**
 * The detention register on the phone: a new detention (from an IPH or on its own, with
 * the phone's position), the record while the person is in custody, and the handover to
 * the prosecutor that closes it.
 */
export default function DetentionPage({ id, iphId }: { id?: string; iphId?: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const agencies = useAgencies();
  const [detention, setDetention] = useState<Detention | null>(null);
  const [record, setRecord] = useState<Obj | null>(id ? null : newRecord(session.user.fullName));
  const [handover, setHandover] = useState<Obj>({ at: new Date().toISOString() });
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<FieldError>(null);
  const [handoverError, setHandoverError] = useState<FieldError>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    let live = true;
    if (id) {
      getDetention(id)
        .then((d) => {
          if (!live) return;
          setDetention(d);
          setRecord(d.record as unknown as Obj);
        })
        .catch((err: unknown) => live && setError(errorMessage(err, t('common.unexpectedError'))));
    } else if (iphId) {
      // Start from the IPH's place of intervention.
      getIph(iphId)
        .then((v) => {
          if (!live || v.content.place.lat == null || v.content.place.lon == null) return;
          setRecord((r) => ({
            ...r,
            place: { ...(r?.place as Obj), lat: v.content.place.lat, lon: v.content.place.lon, address: v.content.place.street ?? null },
          }));
        })
        .catch(() => undefined);
    }
    return () => {
      live = false;
    };
  }, [id, iphId, t]);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setFieldError(null);
    setHandoverError(null);
    setSaved(false);
    try {
      await fn();
    } catch (err) {
      const fe = fieldOf(err, 'record.');
      if (fe) setFieldError(fe);
      else if (err instanceof ApiError && err.field && detention) setHandoverError({ field: err.field, message: err.message });
      else setError(errorMessage(err, t('common.unexpectedError')));
    } finally {
      setBusy(false);
    }
  };

  const usePosition = async () => {
    const pos = await currentPosition();
    if (pos) setRecord((r) => ({ ...r, place: { ...(r?.place as Obj), ...pos } }));
    else setError(t('records.noPosition'));
  };

  if (!record)
    return (
      <div className="page page--narrow">
        {error ? <Alert kind="error">{error}</Alert> : <p className="muted">{t('common.loading')}</p>}
      </div>
    );
  const editable = !detention || detention.canEdit;
  const back = detention?.iphId ?? iphId;

  return (
    <div className="page page--narrow rec-page" data-testid="detention-page" data-status={detention?.status ?? 'new'}>
      <header className="page-head">
        <div>
          <h1 className="page-title">{detention ? <span className="mono">{detention.folio}</span> : t('detention.new')}</h1>
          <p className="page-subtitle">
            {detention ? <StatusBadge status={detention.status} /> : null} {t('detention.subtitle')}
          </p>
        </div>
        {back ? (
          <div className="page-head-actions">
            <Link to={`/iph/${back}`} className="btn btn--small" data-testid="detention-back">
              {t('detention.backToIph')}
            </Link>
          </div>
        ) : null}
      </header>
      <Alert kind="info">{t('detention.privacy')}</Alert>
      {error ? (
        <Alert kind="error" testId="detention-error">
          {error}
        </Alert>
      ) : null}
      {saved ? <Alert kind="success">{t('iph.saved')}</Alert> : null}

      {editable ? (
        <form
          className="card"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              if (detention) {
                const next = await updateDetention(detention.id, { expectedVersion: detention.version, record: clean(record) });
                setDetention(next);
                setRecord(next.record as unknown as Obj);
                setSaved(true);
              } else {
                const made = await registerDetention({ iphId: iphId ?? null, record: clean(record) });
                navigate(`/detenciones/${made.id}`, { replace: true });
              }
            });
          }}
        >
          <button type="button" className="btn btn--small" onClick={() => void usePosition()} data-testid="detention-gps">
            {t('records.useMyPosition')}
          </button>
          <SpecForm
            spec={DETENTION_SPEC}
            value={record}
            onChange={setRecord}
            labelPrefix="detention.f"
            idPrefix="detention"
            listDefaultsPrefix="detention"
            error={fieldError}
            agencies={agencies}
          />
          <div className="form-actions">
            <button type="submit" className="btn btn--primary" disabled={busy} data-testid="detention-save">
              {detention ? t('common.save') : t('detention.register')}
            </button>
          </div>
        </form>
      ) : (
        <section className="card">
          <SpecView spec={DETENTION_SPEC} value={record} labelPrefix="detention.f" agencies={agencies} testId="detention-view" />
        </section>
      )}

      {detention?.handover ? (
        <section className="card" data-testid="detention-handover-done">
          <h2 className="card-title">{t('detention.handoverTitle')}</h2>
          <p>
            {t('detention.handedTo', {
              authority: detention.handover.authority || detention.handover.prosecutorAgencyName,
              name: detention.handover.receiverName,
              at: formatDateTime(detention.handover.at),
            })}
          </p>
        </section>
      ) : detention?.canEdit ? (
        <form
          className="card"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const next = await handOverDetention(detention.id, handover as Parameters<typeof handOverDetention>[1]);
              setDetention(next);
            });
          }}
          data-testid="detention-handover"
        >
          <h2 className="card-title">{t('detention.handoverTitle')}</h2>
          <p className="field-help">{t('detention.handoverHelp')}</p>
          <SpecForm
            spec={HANDOVER_SPEC}
            value={handover}
            onChange={setHandover}
            labelPrefix="detention.h"
            idPrefix="detention-handover"
            listDefaultsPrefix="handover"
            error={handoverError}
            agencies={agencies}
          />
          <div className="form-actions">
            <button type="submit" className="btn btn--primary" disabled={busy} data-testid="detention-handover-submit">
              {t('detention.handover')}
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

function newRecord(officerName: string): Obj {
  return {
    person: { givenNames: '', nationality: 'Mexicana' },
    detainedAt: new Date().toISOString(),
    kind: 'flagrancy',
    reason: '',
    place: {},
    arrestingOfficers: [{ fullName: officerName }],
    condition: { visibleInjuries: false },
  };
}
