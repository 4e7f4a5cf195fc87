import { forwardRef, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, searchCatalogue, type CatalogueEntry } from '../api.js';
import { rememberEntries } from './lookups.js';
import { PriorityBadge } from './badges.js';

const DEBOUNCE_MS = 150;

type TypePickerProps = {
  id: string;
  value: CatalogueEntry | null;
  onChange: (entry: CatalogueEntry | null) => void;
  invalid?: boolean;
  describedBy?: string;
  testId: string;
  placeholder?: string;
  autoFocus?: boolean;
};

/**
 * The incident type search box (a combobox over GET /api/dispatch/catalogue): words
 * ("robo veh") or a code ("301"); arrow keys and Enter pick; each result shows its
 * code, name and default priority.
 */
export const TypePicker = forwardRef<HTMLInputElement, TypePickerProps>(function TypePicker(
  { id, value, onChange, invalid, describedBy, testId, placeholder, autoFocus },
  ref,
) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const uid = useId();
  const listId = `${uid}-list`;
  const [q, setQ] = useState('');
  const [results, setResults] = useState<CatalogueEntry[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const label = (e: CatalogueEntry) => `${e.code} · ${en ? e.nameEn : e.name}`;

  // The box shows the chosen entry; typing searches again; a value cleared by the form clears the box.
  const prev = useRef<CatalogueEntry | null>(null);
  useEffect(() => {
    const before = prev.current;
    prev.current = value;
    if (value) setQ(label(value));
    else if (before) setQ((cur) => (cur === `${before.code} · ${before.name}` || cur === `${before.code} · ${before.nameEn}` ? '' : cur));
  }, [value, en]);

  useEffect(() => {
    const term = q.trim();
    if (!term || (value && q === label(value))) {
      setResults([]);
      setBusy(false);
      return;
    }
    const ctrl = new AbortController();
    setBusy(true);
    const timer = window.setTimeout(() => {
      searchCatalogue(term, 25, ctrl.signal)
        .then((r) => {
          rememberEntries(r.entries);
          // Improper-call types do not make an incident: they close the call ("Improcedente").
          const out = r.entries.filter((e) => !e.improper);
          setResults(out.slice(0, 12));
          setActive(0);
          setError(null);
          setOpen(true);
        })
        .catch((err: unknown) => {
          if (ctrl.signal.aborted) return;
          setError(err instanceof ApiError ? err.message : t('common.unexpectedError'));
          setOpen(true);
        })
        .finally(() => {
          if (!ctrl.signal.aborted) setBusy(false);
        });
    }, DEBOUNCE_MS);
    return () => {
      ctrl.abort();
      window.clearTimeout(timer);
    };
  }, [q]);

  useEffect(() => {
    const close = (e: MouseEvent) => {
      if (!wrapRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, []);

  const choose = (e: CatalogueEntry) => {
    setQ(label(e));
    setOpen(false);
    onChange(e);
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (results.length ? (a + 1) % results.length : 0));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (results.length ? (a - 1 + results.length) % results.length : 0));
    } else if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
      if (open && results.length) {
        e.preventDefault();
        choose(results[active] ?? results[0]);
      }
    } else if (e.key === 'Escape') {
      if (open) {
        e.stopPropagation();
        setOpen(false);
      }
    }
  };

  const showList = open && q.trim().length > 0 && !(value && q === label(value)) && (results.length > 0 || !!error || !busy);
  return (
    <div className="type-picker" ref={wrapRef}>
      <input
        ref={ref}
        id={id}
        type="search"
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showList && results[active] ? `${uid}-opt-${active}` : undefined}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        autoComplete="off"
        spellCheck={false}
        placeholder={placeholder ?? t('dispatch.intake.typePlaceholder')}
        value={q}
        autoFocus={autoFocus}
        onChange={(e) => {
          setQ(e.target.value);
          setOpen(true);
          if (value) onChange(null);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={onKey}
        data-testid={testId}
      />
      {busy ? <span className="type-picker-busy" aria-hidden="true" /> : null}
      {showList ? (
        <ul className="type-picker-results" id={listId} role="listbox" data-testid={`${testId}-results`}>
          {error ? (
            <li className="type-picker-empty" role="presentation">
              {error}
            </li>
          ) : results.length === 0 ? (
            <li className="type-picker-empty" role="presentation">
              {t('dispatch.intake.typeNoResults')}
            </li>
          ) : (
            results.map((r, i) => (
              <li
                key={r.code}
                id={`${uid}-opt-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'is-active' : undefined}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => choose(r)}
                onMouseEnter={() => setActive(i)}
                data-testid={`${testId}-option`}
                data-code={r.code}
              >
                <code className="type-code">{r.code}</code>
                <span className="type-name">{en ? r.nameEn : r.name}</span>
                <PriorityBadge priority={r.priority} />
                <span className="type-sub">{r.subtypeName}</span>
              </li>
            ))
          )}
        </ul>
      ) : null}
    </div>
  );
});
