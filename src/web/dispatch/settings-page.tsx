import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { getAgencies, getDispatchSettings, putDispatchSettings, type DispatchSettingsView, type SettingsInput } from '../api.js';
import { useSession } from '../app-context.js';
import { manageableAgencies } from '../admin/agency-tree.js';
import { Alert } from '../ui/alert.js';
import { Field, controlAria } from '../ui/field.js';
import { errorFor, formLevel, toFormError, type FormError } from '../ui/errors.js';
import { useLoad } from '../ui/use-load.js';
import { PRIORITIES, UNIT_TYPES } from '../../dispatch/dispatch.types.js';

/** Text boxes hold what the user typed; an empty box means "use the platform default". */
type Draft = { roadFactor: string; onSceneStaleMinutes: string; speeds: Record<string, string>; targets: Record<string, string> };

const str = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));
const num = (s: string) => (s.trim() === '' ? null : Number(s.replace(',', '.')));

function draftOf(s: DispatchSettingsView): Draft {
  return {
    roadFactor: str(s.roadFactor),
    onSceneStaleMinutes: str(s.onSceneStaleMinutes),
    speeds: Object.fromEntries(UNIT_TYPES.map((t) => [t, str(s.speedsKmh[t])])),
    targets: Object.fromEntries(PRIORITIES.map((p) => [p, str(s.dispatchTargetSeconds[p])])),
  };
}

function inputOf(d: Draft): SettingsInput {
  const pick = (r: Record<string, string>) =>
    Object.fromEntries(Object.entries(r).flatMap(([k, v]) => (num(v) === null ? [] : [[k, num(v) as number]])));
  return {
    roadFactor: num(d.roadFactor),
    onSceneStaleMinutes: num(d.onSceneStaleMinutes),
    speedsKmh: pick(d.speeds),
    dispatchTargetSeconds: pick(d.targets),
  };
}

/**
 * Per-agency dispatch settings (/despacho/ajustes): the travel speeds and road factor the
 * unit recommendation uses for the agency's units, the on-scene limit of its units and, for a
 * centre, the dispatch targets of its supervisor alerts.
 */
export default function DispatchSettingsPage() {
  const { t } = useTranslation();
  const session = useSession();
  const agencies = useLoad(() => getAgencies(), 'agencies', t('common.unexpectedError'));
  const mine = useMemo(
    () => manageableAgencies(agencies.data?.agencies ?? [], session.user.roles, session.agency.id).filter((a) => !a.disabled),
    [agencies.data, session.user.roles, session.agency.id],
  );
  const [agencyId, setAgencyId] = useState(session.agency.id);
  const [view, setView] = useState<DispatchSettingsView | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<FormError | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = `${t('settings.title')} · OpenC5`;
  }, [t]);

  useEffect(() => {
    let live = true;
    setView(null);
    setDraft(null);
    setError(null);
    getDispatchSettings(agencyId)
      .then((s) => {
        if (!live) return;
        setView(s);
        setDraft(draftOf(s));
      })
      .catch((err: unknown) => live && setError(toFormError(err, t('common.unexpectedError'))));
    return () => {
      live = false;
    };
  }, [agencyId, t]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setBusy(true);
    setSaved(false);
    putDispatchSettings(agencyId, inputOf(draft))
      .then((s) => {
        setView(s);
        setDraft(draftOf(s));
        setError(null);
        setSaved(true);
      })
      .catch((err: unknown) => setError(toFormError(err, t('common.unexpectedError'))))
      .finally(() => setBusy(false));
  };

  const fields = [
    'roadFactor',
    'onSceneStaleMinutes',
    ...UNIT_TYPES.map((u) => `speedsKmh.${u}`),
    ...PRIORITIES.map((p) => `dispatchTargetSeconds.${p}`),
  ];
  const numberBox = (id: string, field: string, value: string, placeholder: number, set: (v: string) => void, unit: string) => (
    <Field
      id={id}
      label={t(`settings.field.${field.split('.')[0]}`, { name: field.includes('.') ? label(field) : '' })}
      error={errorFor(error, field)}
    >
      <div className="settings-input">
        <input
          id={id}
          inputMode="decimal"
          value={value}
          placeholder={String(placeholder)}
          onChange={(e) => set(e.target.value)}
          data-testid={`settings-${field}`}
          {...controlAria(id, errorFor(error, field))}
        />
        <span className="muted">{unit}</span>
      </div>
    </Field>
  );
  const label = (field: string) => {
    const [group, key] = field.split('.');
    return group === 'speedsKmh' ? t(`dispatch.unitType.${key}`) : t(`dispatch.priority.${key}`);
  };

  return (
    <section className="page" data-testid="settings-page">
      <h1>{t('settings.title')}</h1>
      <p className="muted">{t('settings.intro')}</p>
      {agencies.error ? <Alert kind="error">{agencies.error}</Alert> : null}
      <Field id="settings-agency" label={t('settings.agency')}>
        <select id="settings-agency" value={agencyId} onChange={(e) => setAgencyId(e.target.value)} data-testid="settings-agency">
          {(mine.length ? mine : [session.agency]).map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.code})
            </option>
          ))}
        </select>
      </Field>
      {formLevel(error, fields) ? (
        <Alert kind="error" testId="settings-error">
          {formLevel(error, fields)}
        </Alert>
      ) : null}
      {saved ? (
        <Alert kind="success" testId="settings-saved">
          {t('settings.saved')}
        </Alert>
      ) : null}
      {view && draft ? (
        <form onSubmit={submit} noValidate className="settings-form">
          <fieldset>
            <legend>{t('settings.travel')}</legend>
            <p className="muted">{t('settings.travelHelp')}</p>
            {numberBox(
              'settings-road',
              'roadFactor',
              draft.roadFactor,
              view.defaults.roadFactor,
              (v) => setDraft({ ...draft, roadFactor: v }),
              '×',
            )}
            <div className="settings-grid">
              {UNIT_TYPES.map((u) =>
                numberBox(
                  `settings-speed-${u}`,
                  `speedsKmh.${u}`,
                  draft.speeds[u] ?? '',
                  view.defaults.speedsKmh[u] ?? 0,
                  (v) => setDraft({ ...draft, speeds: { ...draft.speeds, [u]: v } }),
                  'km/h',
                ),
              )}
            </div>
          </fieldset>
          <fieldset>
            <legend>{t('settings.alerts')}</legend>
            <p className="muted">{t('settings.alertsHelp')}</p>
            {numberBox(
              'settings-stale',
              'onSceneStaleMinutes',
              draft.onSceneStaleMinutes,
              view.defaults.onSceneStaleMinutes,
              (v) => setDraft({ ...draft, onSceneStaleMinutes: v }),
              'min',
            )}
            <div className="settings-grid">
              {PRIORITIES.map((p) =>
                numberBox(
                  `settings-target-${p}`,
                  `dispatchTargetSeconds.${p}`,
                  draft.targets[p] ?? '',
                  view.defaults.dispatchTargetSeconds[p] ?? 0,
                  (v) => setDraft({ ...draft, targets: { ...draft.targets, [p]: v } }),
                  's',
                ),
              )}
            </div>
          </fieldset>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="settings-save">
            {t('settings.save')}
          </button>
        </form>
      ) : null}
    </section>
  );
}
