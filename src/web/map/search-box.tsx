import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, searchPlaces, type SearchHit } from '../api.js';

const DEBOUNCE_MS = 250;
const LIMIT = 8;

type SearchBoxProps = {
  onSelect: (hit: SearchHit) => void;
  /** Defaults to the map overlay look. */
  className?: string;
  /** Defaults to `map-search` (results: `<testId>-results`, `<testId>-result`). */
  testId?: string;
  placeholder?: string;
  inputId?: string;
  /** Keep the chosen name in the box (default) or clear it. */
  clearOnSelect?: boolean;
};

/** Gazetteer search (a combobox): debounced, keyboard-driven, flies to the chosen place. */
export function SearchBox({
  onSelect,
  className = 'map-panel map-search',
  testId = 'map-search',
  placeholder,
  inputId,
  clearOnSelect,
}: SearchBoxProps) {
  const { t } = useTranslation();
  const id = useId();
  const listId = `${id}-list`;
  const [q, setQ] = useState('');
  const [results, setResults] = useState<SearchHit[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [searched, setSearched] = useState('');
  const wrapRef = useRef<HTMLDivElement>(null);
  /** The text put in the box by choosing a result: not searched again. */
  const chosenRef = useRef<string | null>(null);

  useEffect(() => {
    const term = q.trim();
    if (chosenRef.current !== null && chosenRef.current === q) {
      setBusy(false);
      return;
    }
    chosenRef.current = null;
    if (term.length < 2) {
      setResults([]);
      setSearched('');
      setError(null);
      setBusy(false);
      return;
    }
    const ctrl = new AbortController();
    setBusy(true);
    const timer = window.setTimeout(() => {
      searchPlaces(term, LIMIT, ctrl.signal)
        .then((r) => {
          setResults(r.results);
          setSearched(term);
          setError(null);
          setActive(r.results.length ? 0 : -1);
          setOpen(true);
        })
        .catch((err: unknown) => {
          if (ctrl.signal.aborted) return;
          setResults([]);
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
  }, [q, t]);

  useEffect(() => {
    const close = (e: MouseEvent) => {
      if (!wrapRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, []);

  const choose = (hit: SearchHit) => {
    chosenRef.current = clearOnSelect ? '' : hit.name;
    setQ(clearOnSelect ? '' : hit.name);
    setOpen(false);
    onSelect(hit);
  };

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (results.length ? (a + 1) % results.length : -1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (results.length ? (a - 1 + results.length) % results.length : -1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const hit = results[active] ?? results[0];
      if (hit) choose(hit);
    } else if (e.key === 'Escape') {
      if (open) setOpen(false);
      else setQ('');
    }
  };

  const showList = open && q.trim().length >= 2 && (results.length > 0 || (!busy && searched === q.trim()) || !!error);
  return (
    <div className={className} ref={wrapRef}>
      <label htmlFor={inputId ?? `${id}-input`} className="visually-hidden">
        {t('map.searchLabel')}
      </label>
      <input
        id={inputId ?? `${id}-input`}
        type="search"
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showList && active >= 0 ? `${id}-opt-${active}` : undefined}
        placeholder={placeholder ?? t('map.searchPlaceholder')}
        autoComplete="off"
        spellCheck={false}
        value={q}
        onChange={(e) => {
          setQ(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={onKey}
        data-testid={testId}
      />
      {busy ? <span className="map-search-busy" aria-hidden="true" /> : null}
      {showList ? (
        <ul className="map-search-results" id={listId} role="listbox" aria-label={t('map.searchLabel')} data-testid={`${testId}-results`}>
          {error ? (
            <li className="map-search-empty" role="presentation">
              {error}
            </li>
          ) : results.length === 0 ? (
            <li className="map-search-empty" role="presentation">
              {t('map.searchNoResults', { q: searched })}
            </li>
          ) : (
            results.map((r, i) => (
              <li
                key={`${r.kind}-${r.code}`}
                id={`${id}-opt-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'is-active' : undefined}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => choose(r)}
                onMouseEnter={() => setActive(i)}
                data-testid={`${testId}-result`}
                data-kind={r.kind}
                data-code={r.code}
              >
                <span className={`kind-tag kind-tag--${r.kind}`}>{t(`map.kind.${r.kind}`)}</span>
                <span className="map-search-name">{r.name}</span>
                {r.parentName ? <span className="map-search-parent">{r.parentName}</span> : null}
              </li>
            ))
          )}
        </ul>
      ) : null}
    </div>
  );
}
