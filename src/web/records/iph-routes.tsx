import { lazy } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../app-context.js';
import { Link, useLocation } from '../router.js';
import { RECORDS_ROLES, hasAnyRole } from '../shell/areas.js';
import './iph.css';

const IphListPage = lazy(() => import('./iph-list-page.js'));
const IphFromIncident = lazy(() => import('./iph-list-page.js').then((m) => ({ default: m.IphFromIncident })));
const IphPage = lazy(() => import('./iph-page.js'));
const IphPrintPage = lazy(() => import('./iph-print-page.js'));
const DetentionPage = lazy(() => import('./detention-page.js'));
const EvidencePage = lazy(() => import('./evidence-page.js'));
const NewEvidencePage = lazy(() => import('./evidence-page.js').then((m) => ({ default: m.NewEvidencePage })));
const EvidencePrintPage = lazy(() => import('./evidence-print-page.js'));

const UUID = '[0-9a-f-]{36}';

/** /iph…, /detenciones…, /indicios…: the records pages, for the roles that read them. */
export default function RecordsRoutes() {
  const { t } = useTranslation();
  const { path, search } = useLocation();
  const roles = useSession().user.roles;
  if (!hasAnyRole(roles, RECORDS_ROLES)) {
    return (
      <div className="page page--narrow" data-testid="forbidden">
        <p className="empty-state">{t('shell.forbidden')}</p>
        <Link to="/" className="btn btn--primary">
          {t('shell.goHome')}
        </Link>
      </div>
    );
  }
  const m = (re: string) => new RegExp(`^${re}$`).exec(path);
  let hit: RegExpExecArray | null;
  if (path === '/iph') {
    const incident = search.get('incidente') ?? undefined;
    return <IphListPage tab={search.get('todos') || incident ? 'ours' : 'mine'} incidentId={incident} />;
  }
  if (path === '/iph/nuevo' && search.get('incidente')) return <IphFromIncident incidentId={search.get('incidente')!} />;
  if ((hit = m(`/iph/(${UUID})`))) return <IphPage key={hit[1]} id={hit[1]} />;
  if ((hit = m(`/iph/(${UUID})/imprimir`))) return <IphPrintPage id={hit[1]} />;
  if (path === '/detenciones/nueva') return <DetentionPage iphId={search.get('iph') ?? undefined} />;
  if ((hit = m(`/detenciones/(${UUID})`))) return <DetentionPage key={hit[1]} id={hit[1]} />;
  if (path === '/indicios/nuevo') return <NewEvidencePage iphId={search.get('iph') ?? undefined} />;
  if ((hit = m(`/indicios/(${UUID})`))) return <EvidencePage key={hit[1]} id={hit[1]} />;
  if ((hit = m(`/indicios/(${UUID})/imprimir`))) return <EvidencePrintPage id={hit[1]} />;
  return (
    <div className="page page--narrow" data-testid="not-found">
      <p className="empty-state">{t('shell.notFound')}</p>
    </div>
  );
}
