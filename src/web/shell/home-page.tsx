import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../app-context.js';
import { Link } from '../router.js';
import { AreaIcon } from './area-icon.js';
import { areasFor, type Area } from './areas.js';

const MexicoMap = lazy(() => import('../map/mexico-map.js'));

function AreaCard({ area }: { area: Area }) {
  const { t } = useTranslation();
  const body = (
    <>
      <AreaIcon id={area.id} />
      <span className="area-text">
        <span className="area-title">{t(`areas.${area.id}.title`)}</span>
        <span className="area-desc">{t(`areas.${area.id}.desc`)}</span>
        {!area.path ? <span className="area-soon">{t('home.notYet')}</span> : null}
      </span>
    </>
  );
  if (area.path) {
    return (
      <li>
        <Link to={area.path} className="area-card area-card--live" data-testid={`area-${area.id}`}>
          {body}
        </Link>
      </li>
    );
  }
  return (
    <li>
      <div className="area-card area-card--soon" aria-disabled="true" data-testid={`area-${area.id}`} data-available="false">
        {body}
      </div>
    </li>
  );
}

/** Home: the user's work areas and the map of Mexico. */
export function HomePage() {
  const { t } = useTranslation();
  const session = useSession();
  const areas = areasFor(session.user.roles);
  return (
    <div className="home">
      <section className="home-areas" aria-labelledby="home-areas-title">
        <div className="home-areas-head">
          <h1 className="home-greeting">{t('home.greeting', { name: session.user.fullName })}</h1>
          <h2 id="home-areas-title" className="home-areas-title">
            {t('home.areas')}
          </h2>
        </div>
        {areas.length ? (
          <ul className="area-list" data-testid="area-list">
            {areas.map((a) => (
              <AreaCard key={a.id} area={a} />
            ))}
          </ul>
        ) : (
          <p className="muted">{t('home.noAreas')}</p>
        )}
      </section>
      <section className="home-map" aria-label={t('map.region')}>
        <Suspense
          fallback={
            <p className="map-loading" role="status">
              {t('common.loading')}
            </p>
          }
        >
          <MexicoMap />
        </Suspense>
      </section>
    </div>
  );
}
