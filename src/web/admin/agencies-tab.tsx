import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AGENCY_KINDS, AGENCY_LEVELS, type Agency } from '../api.js';
import { Alert } from '../ui/alert.js';
import { treeOrder } from './agency-tree.js';
import { AgencyForm } from './agency-form.js';
import { useMunicipalityNames, useStates } from './geo-catalogue.js';

type AgenciesTabProps = { agencies: Agency[]; manageable: Agency[]; canWrite: boolean; onCreated: (a: Agency) => void };

/** The agencies in their hierarchy, with filters and the form for a new one. */
export function AgenciesTab({ agencies, manageable, canWrite, onCreated }: AgenciesTabProps) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [level, setLevel] = useState('');
  const [kind, setKind] = useState('');
  const [creating, setCreating] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const states = useStates();
  const stateName = useMemo(() => new Map(states.map((s) => [s.code, s.name])), [states]);
  const munNames = useMunicipalityNames(agencies.map((a) => a.municipalityCode).filter((c): c is string => !!c));
  const byId = useMemo(() => new Map(agencies.map((a) => [a.id, a])), [agencies]);

  const rows = useMemo(() => {
    const q = text.trim().toLocaleLowerCase();
    const filtering = !!(q || level || kind);
    return treeOrder(agencies)
      .filter(
        ({ agency: a }) =>
          (!q || a.code.toLocaleLowerCase().includes(q) || a.name.toLocaleLowerCase().includes(q)) &&
          (!level || a.level === level) &&
          (!kind || a.kind === kind),
      )
      .map((r) => (filtering ? { ...r, depth: 0 } : r));
  }, [agencies, text, level, kind]);

  const jurisdiction = (a: Agency) => {
    if (a.level === 'federal') return t('agencies.national');
    const st = a.stateCode ? (stateName.get(a.stateCode) ?? a.stateCode) : '';
    if (a.municipalityCode) return `${munNames.get(a.municipalityCode) ?? a.municipalityCode}, ${st}`;
    return st;
  };

  return (
    <div className="tab-panel" data-testid="agencies-tab">
      {done ? (
        <Alert kind="success" onClose={() => setDone(null)} closeLabel={t('common.close')}>
          {done}
        </Alert>
      ) : null}
      {creating ? (
        <AgencyForm
          agencies={agencies}
          manageable={manageable}
          onCancel={() => setCreating(false)}
          onCreated={(a) => {
            setCreating(false);
            setDone(t('agencies.created', { code: a.code }));
            onCreated(a);
          }}
        />
      ) : null}
      <div className="toolbar">
        <input
          type="search"
          className="toolbar-search"
          placeholder={t('agencies.filter')}
          aria-label={t('agencies.filter')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          data-testid="agency-filter"
        />
        <select aria-label={t('agencies.filterLevel')} value={level} onChange={(e) => setLevel(e.target.value)}>
          <option value="">
            {t('agencies.filterLevel')}: {t('common.all')}
          </option>
          {AGENCY_LEVELS.map((l) => (
            <option key={l} value={l}>
              {t(`levels.${l}`)}
            </option>
          ))}
        </select>
        <select aria-label={t('agencies.filterKind')} value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="">
            {t('agencies.filterKind')}: {t('common.all')}
          </option>
          {AGENCY_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`kinds.${k}`)}
            </option>
          ))}
        </select>
        <span className="toolbar-count">{t('agencies.count', { count: rows.length })}</span>
        {canWrite && !creating ? (
          <button type="button" className="btn btn--primary" onClick={() => setCreating(true)} data-testid="agency-new">
            {t('agencies.new')}
          </button>
        ) : null}
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="agency-table">
          <thead>
            <tr>
              <th scope="col">{t('agencies.code')}</th>
              <th scope="col">{t('agencies.name')}</th>
              <th scope="col">{t('agencies.level')}</th>
              <th scope="col">{t('agencies.kind')}</th>
              <th scope="col">{t('agencies.jurisdiction')}</th>
              <th scope="col">{t('agencies.region')}</th>
              <th scope="col">{t('agencies.parent')}</th>
              <th scope="col">{t('agencies.status')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ agency: a, depth }) => (
              <tr key={a.id} data-testid="agency-row" data-code={a.code} className={a.disabled ? 'is-disabled' : undefined}>
                <td className="mono nowrap">{a.code}</td>
                <td>
                  <span className="tree-indent" style={{ paddingLeft: `${depth * 1.1}rem` }}>
                    {depth > 0 ? (
                      <span className="tree-branch" aria-hidden="true">
                        └{' '}
                      </span>
                    ) : null}
                    {a.name}
                  </span>
                </td>
                <td>{t(`levels.${a.level}`)}</td>
                <td>{t(`kinds.${a.kind}`)}</td>
                <td>{jurisdiction(a)}</td>
                <td>{a.region ? t(`regions.${a.region}`, { defaultValue: a.region }) : t('common.emptyValue')}</td>
                <td className="mono">
                  {(a.parentId && byId.get(a.parentId)?.code) || <span className="muted">{t('common.emptyValue')}</span>}
                </td>
                <td>
                  <span className={`badge ${a.disabled ? 'badge--danger' : 'badge--ok'}`}>
                    {a.disabled ? t('agencies.disabled') : t('agencies.active')}
                  </span>
                </td>
              </tr>
            ))}
            {rows.length === 0 ? (
              <tr>
                <td colSpan={8} className="empty-cell">
                  {t('agencies.empty')}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </div>
  );
}
