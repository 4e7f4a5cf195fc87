import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditEntry } from '../api.js';
import { currentLanguage, locale } from '../i18n.js';

const OUTCOME_BADGE: Record<string, string> = { ok: 'badge--ok', denied: 'badge--warning', failed: 'badge--danger' };

/** The log entries, newest first; each row opens onto its details. */
export function AuditTable({ entries, agencyCode }: { entries: AuditEntry[]; agencyCode: (id: string | null) => string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<Set<number>>(new Set());
  const fmt = new Intl.DateTimeFormat(locale(currentLanguage()), {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
  const toggle = (seq: number) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(seq)) n.delete(seq);
      else n.add(seq);
      return n;
    });

  return (
    <div className="table-wrap">
      <table className="table table--dense" data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col" className="num">
              {t('audit.seq')}
            </th>
            <th scope="col">{t('audit.at')}</th>
            <th scope="col">{t('audit.actor')}</th>
            <th scope="col">{t('audit.agency')}</th>
            <th scope="col">{t('audit.action')}</th>
            <th scope="col">{t('audit.outcome')}</th>
            <th scope="col">{t('audit.target')}</th>
            <th scope="col">{t('audit.ip')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('audit.details')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const isOpen = open.has(e.seq);
            return (
              <Fragment key={e.seq}>
                <tr data-testid="audit-row" data-seq={e.seq} data-outcome={e.outcome}>
                  <td className="num mono">{e.seq}</td>
                  <td className="nowrap mono">{fmt.format(new Date(e.at))}</td>
                  <td className="mono">{e.actorUsername ?? <span className="muted">{t('audit.system')}</span>}</td>
                  <td className="mono">{agencyCode(e.actorAgencyId)}</td>
                  <td className="mono">{e.action}</td>
                  <td>
                    <span className={`badge ${OUTCOME_BADGE[e.outcome] ?? 'badge--muted'}`}>
                      {t(`audit.outcomes.${e.outcome}`, { defaultValue: e.outcome })}
                    </span>
                  </td>
                  <td className="truncate" title={e.targetId ?? undefined}>
                    {e.targetType ? <span className="muted">{e.targetType}: </span> : null}
                    <span className="mono">{e.targetId ?? ''}</span>
                  </td>
                  <td className="mono nowrap">{e.ip ?? ''}</td>
                  <td>
                    <button
                      type="button"
                      className="icon-btn"
                      aria-expanded={isOpen}
                      aria-label={t('audit.showDetails', { seq: e.seq })}
                      onClick={() => toggle(e.seq)}
                    >
                      {isOpen ? '−' : '+'}
                    </button>
                  </td>
                </tr>
                {isOpen ? (
                  <tr className="detail-row">
                    <td colSpan={9}>
                      <dl className="kv kv--compact">
                        <dt>{t('audit.requestId')}</dt>
                        <dd className="mono">{e.requestId ?? t('common.emptyValue')}</dd>
                        <dt>{t('audit.details')}</dt>
                        <dd>
                          <pre className="json">{e.details ? JSON.stringify(e.details, null, 2) : t('common.emptyValue')}</pre>
                        </dd>
                      </dl>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
