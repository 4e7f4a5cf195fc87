import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../router.js';
import { Alert } from '../ui/alert.js';
import { useLoad } from '../ui/use-load.js';
import { IPH_PARTS } from '../../records/iph.types.js';
import { getIph, listDetentions } from './iph-api.js';
import { SpecView, formatDateTime } from './iph-form.js';
import { useAgencies } from './iph-shared.js';
import { IPH_SPECS } from './iph-specs.js';
import { AnnexA, amendmentMarks, displayJson } from './iph-page.js';

/**
 * The IPH as a printable document (the browser's "print to PDF" makes the PDF): every
 * section and annex of the 2020 format in its order, the signed content as signed with
 * superscripts (E1, E2…) where a signed amendment corrects it, the amendments with their
 * hashes, and the signature block.
 */
export default function IphPrintPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const agencies = useAgencies();
  const iph = useLoad(() => getIph(id), id, t('common.unexpectedError'));
  // A draft's annex A is the detention register as it stands; the signature freezes it into the IPH.
  const live = useLoad(() => listDetentions({ iphId: id }), `d-${id}`, t('common.unexpectedError'));
  const view = iph.data;
  const marks = useMemo(() => (view ? amendmentMarks(view) : new Map<string, number[]>()), [view]);
  useEffect(() => {
    if (view) document.title = `${view.folio} · IPH`;
  }, [view]);
  if (iph.error)
    return (
      <div className="page page--narrow">
        <Alert kind="error">{iph.error}</Alert>
      </div>
    );
  if (!view) return <p className="page muted">{t('common.loading')}</p>;
  const draft = view.status === 'draft';

  return (
    <div className="print-doc" data-testid="iph-print-doc" data-status={view.status}>
      <div className="print-toolbar no-print">
        <Link to={`/iph/${id}`} className="btn btn--small">
          {t('records.back')}
        </Link>
        <button type="button" className="btn btn--primary btn--small" onClick={() => window.print()} data-testid="print-now">
          {t('records.printNow')}
        </button>
      </div>
      {draft ? <p className="print-watermark">{t('records.draftWatermark')}</p> : null}
      <header className="print-head">
        <p className="print-kicker">{t('iph.printKicker')}</p>
        <h1>{t('iph.printTitle')}</h1>
        <dl className="print-meta">
          <dt>{t('iph.folio')}</dt>
          <dd className="mono" data-testid="print-folio">
            {view.folio}
          </dd>
          <dt>{t('iph.agency')}</dt>
          <dd>{view.agencyName}</dd>
          <dt>{t('iph.incident')}</dt>
          <dd className="mono">{view.incidentFolio ?? '—'}</dd>
          <dt>{t('iph.crimeCode')}</dt>
          <dd className="mono">{view.crimeCode ?? '—'}</dd>
          <dt>{t('iph.statusCol')}</dt>
          <dd>{t(`records.status.${view.status}`)}</dd>
        </dl>
      </header>

      {IPH_PARTS.map((part) => (
        <section key={part} className="print-section" data-testid={`print-${part}`}>
          <h2>{t(`iph.part.${part}`)}</h2>
          {part === 'annexA' ? (
            <AnnexA
              content={
                draft
                  ? {
                      ...view.content,
                      annexA: {
                        detentions: (live.data?.detentions ?? []).map((d) => ({
                          id: d.id,
                          folio: d.folio,
                          record: d.record,
                          handover: d.handover,
                        })),
                      },
                    }
                  : view.content
              }
            />
          ) : (
            <SpecView
              spec={IPH_SPECS.find((s) => s.part === part)!.fields}
              value={view.content[part] as Record<string, unknown>}
              labelPrefix={`iph.f.${part}`}
              agencies={agencies}
              marks={marks}
              markPrefix={`${part}.`}
            />
          )}
        </section>
      ))}

      <section className="print-section" data-testid="print-amendments">
        <h2>{t('iph.amendments')}</h2>
        {view.amendments.length ? (
          <table className="print-table">
            <thead>
              <tr>
                <th>#</th>
                <th>{t('iph.amendField')}</th>
                <th>{t('iph.amendOld')}</th>
                <th>{t('iph.amendNew')}</th>
                <th>{t('iph.amendReason')}</th>
                <th>{t('iph.signedBy')}</th>
              </tr>
            </thead>
            <tbody>
              {view.amendments.map((a) => (
                <tr key={a.id}>
                  <td>E{a.seq}</td>
                  <td>
                    {t(`iph.part.${a.section}`)} · {a.field}
                  </td>
                  <td className="rec-pre">{displayJson(a.oldValue)}</td>
                  <td className="rec-pre">{displayJson(a.newValue)}</td>
                  <td>{a.reason}</td>
                  <td>
                    {a.signerName}, {formatDateTime(a.signedAt)}
                    <br />
                    <code className="print-hash">SHA-256 {a.hash}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>{t('iph.noAmendments')}</p>
        )}
      </section>

      <section className="print-section print-signatures">
        <h2>{t('iph.signature')}</h2>
        {view.signature ? (
          <p data-testid="print-signature">
            {t('iph.signedLine', { name: view.signature.signerName, at: formatDateTime(view.signature.signedAt) })}
            <br />
            <code className="print-hash">SHA-256 {view.signature.contentHash}</code>
          </p>
        ) : (
          <p>{t('iph.unsignedLine')}</p>
        )}
        <div className="print-sign-lines">
          <div>{t('iph.signLineDelivers')}</div>
          <div>{t('iph.signLineReceives')}</div>
        </div>
      </section>
    </div>
  );
}
