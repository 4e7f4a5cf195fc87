import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.js';
import { useSession } from '../app-context.js';
import { Link, navigate } from '../router.js';
import { Alert } from '../ui/alert.js';
import {
  evidencePhotoUrl,
  getEvidence,
  getIph,
  registerEvidence,
  transferEvidence,
  uploadEvidencePhoto,
  verifyEvidence,
  type EvidenceVerification,
  type EvidenceView,
  type NewEvidence,
  type TransferInput,
} from './iph-api.js';
import { SpecForm, SpecView, formatDateTime } from './iph-form.js';
import { Hash, VerificationResult, currentPosition, errorMessage, useAgencies } from './iph-shared.js';
import { EVIDENCE_SPEC, TRANSFER_SPEC } from './iph-specs.js';

type Obj = Record<string, unknown>;
type FieldError = { field: string; message: string } | null;

const fieldError = (err: unknown): FieldError => (err instanceof ApiError && err.field ? { field: err.field, message: err.message } : null);

/** /indicios/nuevo?iph=…: registers an evidence item; its registration is sealed with SHA-256 by the server. */
export function NewEvidencePage({ iphId }: { iphId?: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const [item, setItem] = useState<Obj>({
    quantity: 1,
    unit: 'pieza',
    collectedAt: new Date().toISOString(),
    place: {},
    collectedBy: [{ fullName: session.user.fullName }],
  });
  const [error, setError] = useState<string | null>(null);
  const [fe, setFe] = useState<FieldError>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!iphId) return;
    let live = true;
    getIph(iphId)
      .then((v) => {
        if (!live || v.content.place.lat == null || v.content.place.lon == null) return;
        setItem((i) => ({ ...i, place: { lat: v.content.place.lat, lon: v.content.place.lon, address: v.content.place.street ?? null } }));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [iphId]);

  const submit = async () => {
    setBusy(true);
    setError(null);
    setFe(null);
    try {
      const made = await registerEvidence({ ...(item as unknown as NewEvidence), iphId: iphId ?? null });
      navigate(`/indicios/${made.id}`, { replace: true });
    } catch (err) {
      const f = fieldError(err);
      if (f) setFe(f);
      else setError(errorMessage(err, t('common.unexpectedError')));
      setBusy(false);
    }
  };

  return (
    <div className="page page--narrow rec-page" data-testid="evidence-new">
      <header className="page-head">
        <h1 className="page-title">{t('evidence.new')}</h1>
        {iphId ? (
          <div className="page-head-actions">
            <Link to={`/iph/${iphId}`} className="btn btn--small">
              {t('detention.backToIph')}
            </Link>
          </div>
        ) : null}
      </header>
      {error ? <Alert kind="error">{error}</Alert> : null}
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <button
          type="button"
          className="btn btn--small"
          onClick={() =>
            void currentPosition().then((pos) =>
              pos ? setItem((i) => ({ ...i, place: { ...(i.place as Obj), ...pos } })) : setError(t('records.noPosition')),
            )
          }
          data-testid="evidence-gps"
        >
          {t('records.useMyPosition')}
        </button>
        <SpecForm
          spec={EVIDENCE_SPEC}
          value={item}
          onChange={setItem}
          labelPrefix="evidence.f"
          idPrefix="evidence"
          listDefaultsPrefix="evidence"
          error={fe}
        />
        <div className="form-actions">
          <button type="submit" className="btn btn--primary" disabled={busy} data-testid="evidence-save">
            {t('evidence.register')}
          </button>
        </div>
      </form>
    </div>
  );
}

/**
 * One evidence item: its sealed registration, photos, the chain of custody with each
 * link's hash, the next handover (stating the head it builds on), and the verification.
 */
export default function EvidencePage({ id }: { id: string }) {
  const { t } = useTranslation();
  const agencies = useAgencies();
  const [item, setItem] = useState<EvidenceView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [transfer, setTransfer] = useState<Obj>({ at: new Date().toISOString(), purpose: 'prosecutor' });
  const [fe, setFe] = useState<FieldError>(null);
  const [busy, setBusy] = useState(false);
  const [verification, setVerification] = useState<EvidenceVerification | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(() => {
    getEvidence(id)
      .then(setItem)
      .catch((err: unknown) => setError(errorMessage(err, t('common.unexpectedError'))));
  }, [id, t]);
  useEffect(load, [load]);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setFe(null);
    setDone(null);
    try {
      await fn();
    } catch (err) {
      const f = fieldError(err);
      if (f && f.field !== 'previousHash' && f.field !== 'body') setFe(f);
      else setError(errorMessage(err, t('common.unexpectedError')));
    } finally {
      setBusy(false);
    }
  };

  if (!item)
    return (
      <div className="page page--narrow">
        {error ? <Alert kind="error">{error}</Alert> : <p className="muted">{t('common.loading')}</p>}
      </div>
    );
  const registration = { ...item, place: item.place } as unknown as Obj;

  return (
    <div className="page rec-page" data-testid="evidence-page" data-transfers={item.transfers.length}>
      <header className="page-head">
        <div>
          <h1 className="page-title mono" data-testid="evidence-folio">
            {item.folio}
          </h1>
          <p className="page-subtitle">
            {t(`evidence.kind.${item.kind}`)} · {item.agencyName}
            {item.iphFolio ? (
              <>
                {' · '}
                <Link to={`/iph/${item.iphId}`} className="mono">
                  {item.iphFolio}
                </Link>
              </>
            ) : null}
          </p>
        </div>
        <div className="page-head-actions">
          <Link to={`/indicios/${id}/imprimir`} className="btn btn--small" data-testid="evidence-print">
            {t('evidence.printForm')}
          </Link>
        </div>
      </header>
      {error ? (
        <Alert kind="error" testId="evidence-error">
          {error}{' '}
          <button type="button" className="btn btn--small" onClick={load}>
            {t('common.refresh')}
          </button>
        </Alert>
      ) : null}
      {done ? <Alert kind="success">{done}</Alert> : null}

      <section className="card" aria-labelledby="ev-reg-title">
        <h2 id="ev-reg-title" className="card-title">
          {t('evidence.registration')}
        </h2>
        <SpecView spec={EVIDENCE_SPEC} value={registration} labelPrefix="evidence.f" agencies={agencies} testId="evidence-view" />
        <dl className="kv kv--compact">
          <dt>{t('evidence.registeredBy')}</dt>
          <dd>
            {item.registeredByName}, {formatDateTime(item.registeredAt)}
          </dd>
          <dt>{t('evidence.registrationHash')}</dt>
          <dd>
            <Hash value={item.registrationHash} testId="evidence-registration-hash" />
          </dd>
        </dl>
      </section>

      <section className="card" aria-labelledby="ev-photos-title" data-testid="evidence-photos">
        <h2 id="ev-photos-title" className="card-title">
          {t('evidence.photos')}
        </h2>
        {item.photos.length ? (
          <ul className="rec-photos">
            {item.photos.map((p) => (
              <li key={p.id} data-testid="evidence-photo" data-sha256={p.sha256}>
                <img src={evidencePhotoUrl(item.id, p.id)} alt={t('evidence.photoAlt', { folio: item.folio })} loading="lazy" />
                <Hash value={p.sha256} />
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('evidence.noPhotos')}</p>
        )}
        {item.can.addPhoto ? (
          <div className="field">
            <label htmlFor="evidence-photo-input">{t('evidence.addPhoto')}</label>
            <input
              id="evidence-photo-input"
              type="file"
              accept="image/jpeg,image/png,image/webp"
              capture="environment"
              disabled={busy}
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file)
                  void run(async () => {
                    await uploadEvidencePhoto(item.id, file);
                    setDone(t('evidence.photoAdded'));
                    load();
                  });
              }}
              data-testid="evidence-photo-input"
            />
            <p className="field-help">{t('evidence.photoHelp')}</p>
          </div>
        ) : null}
      </section>

      <section className="card" aria-labelledby="ev-chain-title" data-testid="custody-chain">
        <h2 id="ev-chain-title" className="card-title">
          {t('evidence.chain')}
        </h2>
        <p>
          {t('evidence.custodian')}:{' '}
          <strong data-testid="evidence-custodian">
            {item.custodian.name} · {item.custodian.agencyName}
          </strong>
        </p>
        <div className="table-wrap">
          <table className="table table--dense">
            <thead>
              <tr>
                <th>#</th>
                <th>{t('evidence.t.at')}</th>
                <th>{t('evidence.t.from')}</th>
                <th>{t('evidence.t.to')}</th>
                <th>{t('evidence.t.purpose')}</th>
                <th>{t('evidence.t.condition')}</th>
                <th>{t('records.hash')}</th>
              </tr>
            </thead>
            <tbody>
              <tr data-testid="custody-row" data-seq="0">
                <td>0</td>
                <td>{formatDateTime(item.registeredAt)}</td>
                <td colSpan={4}>{t('evidence.registrationRow', { name: item.registeredByName })}</td>
                <td>
                  <Hash value={item.registrationHash} />
                </td>
              </tr>
              {item.transfers.map((x) => (
                <tr key={x.id} data-testid="custody-row" data-seq={x.seq}>
                  <td>{x.seq}</td>
                  <td>{formatDateTime(x.at)}</td>
                  <td>
                    {x.from.name}
                    <br />
                    <span className="muted small">{x.from.agencyName}</span>
                  </td>
                  <td>
                    {x.to.name}
                    {x.to.position ? `, ${x.to.position}` : ''}
                    <br />
                    <span className="muted small">{x.to.agencyName}</span>
                  </td>
                  <td>
                    {t(`evidence.purpose.${x.purpose}`)}
                    {x.purposeDetail ? ` (${x.purposeDetail})` : ''}
                    <br />
                    <span className="muted small">{x.place}</span>
                  </td>
                  <td>
                    {x.condition}
                    {x.seal ? <span className="muted small"> · {x.seal}</span> : null}
                  </td>
                  <td>
                    <Hash value={x.hash} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <button
          type="button"
          className="btn"
          onClick={() =>
            void run(async () => {
              setVerification(null);
              setVerification(await verifyEvidence(item.id));
            })
          }
          data-testid="evidence-verify"
        >
          {t('records.verify.button')}
        </button>
        {verification ? (
          <VerificationResult
            value={verification}
            testId="evidence-verify-result"
            extra={
              <ul className="rec-photo-checks">
                {verification.photos.map((p) => (
                  <li key={p.id} data-testid="evidence-photo-check" data-ok={p.ok ? 'true' : 'false'}>
                    <Hash value={p.sha256} /> {p.ok ? t('evidence.photoOk') : t(`evidence.photoProblem.${p.problem ?? 'modified'}`)}
                  </li>
                ))}
              </ul>
            }
          />
        ) : null}
      </section>

      {item.can.transfer ? (
        <form
          className="card"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              const next = await transferEvidence(item.id, { ...(transfer as unknown as TransferInput), previousHash: item.headHash });
              setItem(next);
              setTransfer({ at: new Date().toISOString(), purpose: 'storage' });
              setDone(t('evidence.transferDone'));
            });
          }}
          data-testid="custody-transfer"
        >
          <h2 className="card-title">{t('evidence.transferTitle')}</h2>
          <p className="field-help">
            {t('evidence.transferHelp')} <Hash value={item.headHash} testId="custody-head" />
          </p>
          <SpecForm
            spec={TRANSFER_SPEC}
            value={transfer}
            onChange={setTransfer}
            labelPrefix="evidence.tf"
            idPrefix="transfer"
            listDefaultsPrefix="transfer"
            error={fe}
            agencies={agencies}
          />
          <div className="form-actions">
            <button type="submit" className="btn btn--primary" disabled={busy} data-testid="transfer-submit">
              {t('evidence.transfer')}
            </button>
          </div>
        </form>
      ) : (
        <p className="muted">{t('evidence.notCustodian')}</p>
      )}
    </div>
  );
}
