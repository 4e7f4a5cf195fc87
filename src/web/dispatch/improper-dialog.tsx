import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, searchCatalogue, type CatalogueEntry } from '../api.js';

let improperList: Promise<CatalogueEntry[]> | null = null;

/** Every improper-call type of the catalogue (codes 7xxxx, "mal uso", and 602xx), loaded once. */
function loadImproper(): Promise<CatalogueEntry[]> {
  if (!improperList) {
    improperList = Promise.all([searchCatalogue('7', 100), searchCatalogue('602', 100)]).then((lists) => {
      const seen = new Set<string>();
      return lists
        .flatMap((l) => l.entries)
        .filter((e) => e.improper && !seen.has(e.code) && seen.add(e.code))
        .sort((a, b) => a.code.localeCompare(b.code));
    });
    improperList.catch(() => (improperList = null));
  }
  return improperList;
}

const fold = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');

type Props = { open: boolean; busy: boolean; error?: string; onCancel: () => void; onConfirm: (code: string) => void };

/** "Improcedente": pick the improper-call code (filter by words or code, arrows and Enter) and close the call. */
export function ImproperDialog({ open, busy, error, onCancel, onConfirm }: Props) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const ref = useRef<HTMLDialogElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const [all, setAll] = useState<CatalogueEntry[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const [chosen, setChosen] = useState<string | null>(null);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setQ('');
      setChosen(null);
      d.showModal();
      inputRef.current?.focus();
      loadImproper()
        .then((l) => {
          setAll(l);
          setLoadError(null);
        })
        .catch((err: unknown) => setLoadError(err instanceof ApiError ? err.message : t('common.unexpectedError')));
    } else if (!open && d.open) d.close();
  }, [open, t]);

  const shown = useMemo(() => {
    const words = fold(q).split(/\s+/).filter(Boolean);
    return all.filter((e) => {
      const hay = fold(`${e.code} ${e.name} ${e.nameEn}`);
      return words.every((w) => hay.includes(w));
    });
  }, [all, q]);
  const current = chosen && shown.some((e) => e.code === chosen) ? chosen : (shown[0]?.code ?? null);

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    const i = shown.findIndex((x) => x.code === current);
    if (e.key === 'ArrowDown' && shown.length) {
      e.preventDefault();
      setChosen(shown[(i + 1) % shown.length].code);
    } else if (e.key === 'ArrowUp' && shown.length) {
      e.preventDefault();
      setChosen(shown[(i - 1 + shown.length) % shown.length].code);
    } else if (e.key === 'Enter' && current && !busy) {
      e.preventDefault();
      onConfirm(current);
    }
  };

  return (
    <dialog
      ref={ref}
      className="dialog dialog--wide"
      aria-labelledby="improper-title"
      data-testid="improper-dialog"
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id="improper-title" className="dialog-title">
        {t('dispatch.improper.title')}
      </h2>
      <p className="muted">{t('dispatch.improper.help')}</p>
      <input
        ref={inputRef}
        type="search"
        value={q}
        placeholder={t('dispatch.improper.filter')}
        aria-label={t('dispatch.improper.filter')}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={onKey}
        data-testid="improper-filter"
      />
      {loadError ? (
        <p className="field-error" role="alert">
          {loadError}
        </p>
      ) : null}
      <div className="improper-list" role="radiogroup" aria-label={t('dispatch.improper.title')}>
        {shown.map((e) => (
          <label
            key={e.code}
            className={`improper-item${e.code === current ? ' is-active' : ''}`}
            data-testid="improper-option"
            data-code={e.code}
          >
            <input type="radio" name="improper-code" checked={e.code === current} onChange={() => setChosen(e.code)} />
            <code className="type-code">{e.code}</code>
            <span>{en ? e.nameEn : e.name}</span>
          </label>
        ))}
        {!shown.length && !loadError ? <p className="muted">{t('dispatch.intake.typeNoResults')}</p> : null}
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="btn btn--primary"
          onClick={() => current && onConfirm(current)}
          disabled={busy || !current}
          data-testid="improper-ok"
        >
          {t('dispatch.improper.confirm')}
        </button>
      </div>
    </dialog>
  );
}
