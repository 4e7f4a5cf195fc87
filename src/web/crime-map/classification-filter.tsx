import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CatalogueNode } from '../api.js';
import { normaliseCodes } from './view-state.js';

/** Lower case, no accents: how the search compares names (the catalogue's own rule). */
const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

/** The nodes a search finds: every word in the node's name (either language), its trail or its code. */
export function searchNodes(nodes: readonly CatalogueNode[], query: string, limit = 30): CatalogueNode[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  return nodes
    .filter((n) => {
      const hay = fold([n.code, n.name, n.nameEn, ...n.path.map((p) => p.name)].join(' '));
      return words.every((w) => hay.includes(w));
    })
    .slice(0, limit);
}

type Props = {
  nodes: readonly CatalogueNode[];
  selected: readonly string[];
  onChange: (codes: string[]) => void;
};

/**
 * The SESNSP classification as a tree (bien jurídico → tipo → subtipo → modalidad) with a search.
 * Checking a node selects its whole subtree; the nodes under a checked one show as included.
 */
export function ClassificationFilter({ nodes, selected, onChange }: Props) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState<Set<string>>(new Set());
  const children = useMemo(() => {
    const m = new Map<string | null, CatalogueNode[]>();
    for (const n of nodes) m.set(n.parentCode, [...(m.get(n.parentCode) ?? []), n]);
    return m;
  }, [nodes]);
  const chosen = new Set(selected);
  const impliedBy = (n: CatalogueNode) => n.path.some((p) => chosen.has(p.code));
  const label = (n: CatalogueNode) => (en ? n.nameEn : n.name);
  const toggle = (n: CatalogueNode, on: boolean) =>
    onChange(normaliseCodes(on ? [...selected, n.code] : selected.filter((c) => c !== n.code)));
  const hits = query.trim() ? searchNodes(nodes, query) : null;

  const checkbox = (n: CatalogueNode, text: string) => {
    const implied = impliedBy(n);
    return (
      <label className={`cm-tree-label${implied ? ' cm-tree-label--implied' : ''}`}>
        <input
          type="checkbox"
          checked={chosen.has(n.code) || implied}
          disabled={implied}
          onChange={(e) => toggle(n, e.target.checked)}
          data-testid={`cm-class-check-${n.code}`}
        />
        <span className="cm-tree-code">{n.code}</span> {text}
      </label>
    );
  };

  const branch = (parent: string | null, depth: number) => (
    <ul className="cm-tree" aria-label={depth === 0 ? t('crimeMap.filters.classification') : undefined}>
      {(children.get(parent) ?? []).map((n) => {
        const kids = (children.get(n.code) ?? []).length > 0;
        const expanded = open.has(n.code);
        return (
          <li key={n.code} data-testid="cm-class-node" data-code={n.code}>
            <div className="cm-tree-row">
              {kids ? (
                <button
                  type="button"
                  className="icon-btn cm-tree-toggle"
                  aria-expanded={expanded}
                  aria-label={t(expanded ? 'crimeMap.filters.collapse' : 'crimeMap.filters.expand', { name: label(n) })}
                  onClick={() => {
                    const next = new Set(open);
                    if (expanded) next.delete(n.code);
                    else next.add(n.code);
                    setOpen(next);
                  }}
                  data-testid={`cm-class-toggle-${n.code}`}
                >
                  {expanded ? '▾' : '▸'}
                </button>
              ) : (
                <span className="cm-tree-toggle" aria-hidden="true" />
              )}
              {checkbox(n, label(n))}
            </div>
            {kids && expanded ? branch(n.code, depth + 1) : null}
          </li>
        );
      })}
    </ul>
  );

  return (
    <fieldset className="cm-fieldset">
      <legend>{t('crimeMap.filters.classification')}</legend>
      <input
        type="search"
        className="cm-search"
        placeholder={t('crimeMap.filters.classificationSearch')}
        aria-label={t('crimeMap.filters.classificationSearch')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        data-testid="cm-class-search"
      />
      {selected.length ? (
        <div className="cm-chips" data-testid="cm-class-chosen">
          {selected.map((c) => {
            const n = nodes.find((x) => x.code === c);
            return (
              <button
                key={c}
                type="button"
                className="chip"
                onClick={() => onChange(selected.filter((x) => x !== c))}
                aria-label={t('crimeMap.filters.removeCode', { name: n ? label(n) : c })}
              >
                {c} {n ? label(n) : ''} ×
              </button>
            );
          })}
        </div>
      ) : (
        <p className="muted cm-small">{t('crimeMap.filters.allCrimes')}</p>
      )}
      <div className="cm-tree-box">
        {hits ? (
          hits.length ? (
            <ul className="cm-tree" aria-label={t('crimeMap.filters.searchResults')}>
              {hits.map((n) => (
                <li key={n.code} data-testid="cm-class-node" data-code={n.code}>
                  <div className="cm-tree-row">
                    {checkbox(n, [...n.path.slice(1).map((p) => (en ? p.nameEn : p.name)), label(n)].join(' › '))}
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted cm-small">{t('crimeMap.filters.noMatch', { q: query })}</p>
          )
        ) : (
          branch(null, 0)
        )}
      </div>
    </fieldset>
  );
}
