import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.js';
import { useSession } from '../app-context.js';
import { Link, navigate } from '../router.js';
import { Alert } from '../ui/alert.js';
import { useLoad } from '../ui/use-load.js';
import { createIph, listIphs, type IphSummary } from './iph-api.js';
import { formatDateTime } from './iph-form.js';
import { StatusBadge, errorMessage } from './iph-shared.js';

/** My IPHs (those I write) and our IPHs (my agency's, or received by my prosecutor's office). */
export default function IphListPage({ tab, incidentId }: { tab: 'mine' | 'ours'; incidentId?: string }) {
  const { t } = useTranslation();
  const roles = useSession().user.roles;
  const writer = roles.includes('field_officer');
  const mine = tab === 'mine' && writer;
  const list = useLoad(() => listIphs({ mine, incidentId }), `${mine}-${incidentId ?? ''}`, t('common.unexpectedError'));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      navigate(`/iph/${(await createIph({})).id}`);
    } catch (err) {
      setError(errorMessage(err, t('common.unexpectedError')));
      setBusy(false);
    }
  };

  return (
    <div className="page rec-page" data-testid="iph-list">
      <header className="page-head">
        <div>
          <h1 className="page-title">{t('iph.title')}</h1>
          <p className="page-subtitle">{t('iph.subtitle')}</p>
        </div>
        {writer ? (
          <div className="page-head-actions">
            <button type="button" className="btn btn--primary" onClick={() => void start()} disabled={busy} data-testid="iph-new">
              {t('iph.newStandalone')}
            </button>
          </div>
        ) : null}
      </header>
      {incidentId ? (
        <Alert kind="info">
          {t('iph.forIncident')} <Link to="/iph">{t('iph.showAll')}</Link>
        </Alert>
      ) : (
        <nav className="tabs" aria-label={t('iph.title')}>
          {writer ? (
            <Link to="/iph" className="tab" aria-current={mine ? 'page' : undefined} data-testid="iph-tab-mine">
              {t('iph.mine')}
            </Link>
          ) : null}
          <Link to="/iph?todos=1" className="tab" aria-current={!mine ? 'page' : undefined} data-testid="iph-tab-ours">
            {roles.includes('prosecutor_liaison') && !writer ? t('iph.received') : t('iph.ours')}
          </Link>
        </nav>
      )}
      {error ? <Alert kind="error">{error}</Alert> : null}
      {list.error ? <Alert kind="error">{list.error}</Alert> : null}
      {list.data && !list.data.iphs.length ? <p className="empty-state">{t('iph.empty')}</p> : null}
      {list.data?.iphs.length ? <IphTable iphs={list.data.iphs} /> : null}
    </div>
  );
}

function IphTable({ iphs }: { iphs: IphSummary[] }) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="table table--interactive">
        <thead>
          <tr>
            <th>{t('iph.folio')}</th>
            <th>{t('iph.statusCol')}</th>
            <th>{t('iph.incident')}</th>
            <th>{t('iph.crimeCode')}</th>
            <th>{t('iph.responder')}</th>
            <th>{t('iph.updated')}</th>
            <th className="num">{t('iph.amendmentsCol')}</th>
          </tr>
        </thead>
        <tbody>
          {iphs.map((i) => (
            <tr key={i.id} data-testid="iph-row" data-folio={i.folio} data-status={i.status} onClick={() => navigate(`/iph/${i.id}`)}>
              <td>
                <Link to={`/iph/${i.id}`} className="mono">
                  {i.folio}
                </Link>
              </td>
              <td>
                <StatusBadge status={i.status} />
              </td>
              <td className="mono">{i.incidentFolio ?? '—'}</td>
              <td className="mono">{i.crimeCode ?? '—'}</td>
              <td>{i.responderName ?? '—'}</td>
              <td>{formatDateTime(i.signedAt ?? i.updatedAt)}</td>
              <td className="num">{i.amendments}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * /iph/nuevo?incidente=<id>: starts the IPH of a 911 incident (prefilled by the server) and
 * opens it; when the agency already has one for the incident, opens that one.
 */
export function IphFromIncident({ incidentId }: { incidentId: string }) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    createIph({ incidentId })
      .then((v) => navigate(`/iph/${v.id}`, { replace: true }))
      .catch(async (err: unknown) => {
        if (err instanceof ApiError && err.code === 'iph_exists') {
          const existing = (await listIphs({ incidentId }).catch(() => ({ iphs: [] as IphSummary[] }))).iphs[0];
          if (existing) return navigate(`/iph/${existing.id}`, { replace: true });
        }
        setError(errorMessage(err, t('common.unexpectedError')));
      });
  }, [incidentId, t]);
  return (
    <div className="page page--narrow" data-testid="iph-starting">
      {error ? (
        <Alert kind="error" testId="iph-start-error">
          {error}
        </Alert>
      ) : (
        <p className="muted">{t('iph.starting')}</p>
      )}
      <Link to="/iph" className="btn">
        {t('iph.backToList')}
      </Link>
    </div>
  );
}
