import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../router.js';
import { Alert } from '../ui/alert.js';
import { useLoad } from '../ui/use-load.js';
import { getEvidence, verifyEvidence } from './iph-api.js';
import { formatDateTime } from './iph-form.js';

/**
 * The registro de cadena de custodia of one item, printable: its identification, where,
 * when and by whom it was collected, its packaging and seal, every handover (who delivers,
 * who receives, when, where, why, in what condition, with room for both signatures), the
 * hashes, and the result of verifying the chain when printed.
 */
export default function EvidencePrintPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const item = useLoad(() => getEvidence(id), id, t('common.unexpectedError'));
  const check = useLoad(() => verifyEvidence(id), `v-${id}`, t('common.unexpectedError'));
  const v = item.data;
  useEffect(() => {
    if (v) document.title = `${v.folio} · ${t('evidence.rccTitle')}`;
  }, [v, t]);
  if (item.error)
    return (
      <div className="page page--narrow">
        <Alert kind="error">{item.error}</Alert>
      </div>
    );
  if (!v) return <p className="page muted">{t('common.loading')}</p>;
  const place = [v.place.address, v.place.colonia, v.place.municipality, v.place.state].filter(Boolean).join(', ');

  return (
    <div className="print-doc" data-testid="evidence-print-doc">
      <div className="print-toolbar no-print">
        <Link to={`/indicios/${id}`} className="btn btn--small">
          {t('records.back')}
        </Link>
        <button type="button" className="btn btn--primary btn--small" onClick={() => window.print()}>
          {t('records.printNow')}
        </button>
      </div>
      <header className="print-head">
        <p className="print-kicker">{t('evidence.rccKicker')}</p>
        <h1>{t('evidence.rccTitle')}</h1>
        <dl className="print-meta">
          <dt>{t('evidence.folio')}</dt>
          <dd className="mono">{v.folio}</dd>
          <dt>{t('iph.agency')}</dt>
          <dd>{v.agencyName}</dd>
          <dt>IPH</dt>
          <dd className="mono">{v.iphFolio ?? '—'}</dd>
        </dl>
      </header>

      <section className="print-section">
        <h2>{t('evidence.rcc.identification')}</h2>
        <dl className="rec-view">
          <dt>{t('evidence.f.kind')}</dt>
          <dd>{t(`evidence.kind.${v.kind}`)}</dd>
          <dt>{t('evidence.f.quantity')}</dt>
          <dd>
            {v.quantity} {v.unit}
          </dd>
          <dt className="rec-wide">{t('evidence.f.description')}</dt>
          <dd className="rec-wide rec-pre">{v.description}</dd>
          <dt>{t('evidence.f.seal')}</dt>
          <dd>{v.seal ?? '—'}</dd>
          <dt>{t('evidence.f.condition')}</dt>
          <dd>{v.condition ?? '—'}</dd>
        </dl>
      </section>

      <section className="print-section">
        <h2>{t('evidence.rcc.collection')}</h2>
        <dl className="rec-view">
          <dt>{t('evidence.f.collectedAt')}</dt>
          <dd>{formatDateTime(v.collectedAt)}</dd>
          <dt>{t('evidence.rcc.place')}</dt>
          <dd>
            {place} ({v.place.lat.toFixed(5)}, {v.place.lon.toFixed(5)})
            {v.place.quadrantId ? ` · ${t('evidence.rcc.quadrant')} ${v.place.quadrantId}` : ''}
          </dd>
          <dt>{t('evidence.f.collectedBy')}</dt>
          <dd>{v.collectedBy.map((o) => [o.fullName, o.rank, o.unit].filter(Boolean).join(', ')).join('; ')}</dd>
          <dt>{t('evidence.registeredBy')}</dt>
          <dd>
            {v.registeredByName}, {formatDateTime(v.registeredAt)}
          </dd>
          <dt>{t('evidence.registrationHash')}</dt>
          <dd>
            <code className="print-hash">{v.registrationHash}</code>
          </dd>
        </dl>
      </section>

      <section className="print-section">
        <h2>{t('evidence.chain')}</h2>
        <table className="print-table" data-testid="print-custody">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('evidence.t.from')}</th>
              <th>{t('evidence.t.to')}</th>
              <th>{t('evidence.t.at')}</th>
              <th>{t('evidence.t.purpose')}</th>
              <th>{t('evidence.t.condition')}</th>
              <th>{t('evidence.rcc.signatures')}</th>
            </tr>
          </thead>
          <tbody>
            {v.transfers.map((x) => (
              <tr key={x.id}>
                <td>{x.seq}</td>
                <td>
                  {x.from.name}
                  <br />
                  {x.from.agencyName}
                </td>
                <td>
                  {x.to.name}
                  {x.to.position ? `, ${x.to.position}` : ''}
                  <br />
                  {x.to.agencyName}
                </td>
                <td>
                  {formatDateTime(x.at)}
                  <br />
                  {x.place}
                </td>
                <td>
                  {t(`evidence.purpose.${x.purpose}`)}
                  {x.purposeDetail ? ` (${x.purposeDetail})` : ''}
                </td>
                <td>
                  {x.condition}
                  {x.seal ? ` · ${t('evidence.f.seal')}: ${x.seal}` : ''}
                  {x.observations ? (
                    <>
                      <br />
                      {x.observations}
                    </>
                  ) : null}
                  <br />
                  <code className="print-hash">{x.hash}</code>
                </td>
                <td className="print-sign-cell">
                  <span>{t('evidence.rcc.delivers')}</span>
                  <span>{t('evidence.rcc.receives')}</span>
                </td>
              </tr>
            ))}
            {!v.transfers.length ? (
              <tr>
                <td colSpan={7}>{t('evidence.noTransfers')}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </section>

      <section className="print-section">
        <h2>{t('evidence.photos')}</h2>
        {v.photos.length ? (
          <ul>
            {v.photos.map((p) => (
              <li key={p.id}>
                {formatDateTime(p.uploadedAt)} · {p.contentType} · {p.sizeBytes} B · <code className="print-hash">SHA-256 {p.sha256}</code>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t('evidence.noPhotos')}</p>
        )}
      </section>

      <section className="print-section" data-testid="print-verification">
        <h2>{t('evidence.rcc.verification')}</h2>
        <p>{check.data ? `${formatDateTime(new Date().toISOString())}: ${check.data.message}` : (check.error ?? t('common.loading'))}</p>
      </section>
    </div>
  );
}
