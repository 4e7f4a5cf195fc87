import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CRIMES, SOURCES, SOURCE_IDS, type CrimeKey, type SourceId } from '../../indicators/catalogue.js';
import {
  ApiError,
  getIndicatorReleaseChanges,
  getIndicatorReleases,
  importIndicatorRelease,
  type IndicatorImportResult,
  type IndicatorReleaseChanges,
} from '../api.js';
import { currentLanguage } from '../i18n.js';
import { Alert } from '../ui/alert.js';
import { useLoad } from '../ui/use-load.js';

/** The file's bytes as base64, for the JSON upload. */
async function fileBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * The releases loaded (current, earlier, replaced) with what each changed, and — for the system
 * administrator — the upload of a new release in the publisher's own file layout.
 */
export function ReleasesPanel({ canImport }: { canImport: boolean }) {
  const { t } = useTranslation();
  const lang = currentLanguage();
  const list = useLoad(() => getIndicatorReleases(), 'releases', t('common.unexpectedError'));
  const [changes, setChanges] = useState<IndicatorReleaseChanges | null>(null);
  const [source, setSource] = useState<SourceId>('sesnsp-nm');
  const [release, setRelease] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [confirmRemovals, setConfirmRemovals] = useState(false);
  const [dryRun, setDryRun] = useState(true);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<IndicatorImportResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const r = await importIndicatorRelease({
        source,
        release,
        fileName: file.name,
        contentBase64: await fileBase64(file),
        confirmRemovals,
        dryRun,
      });
      setResult(r);
      if (!r.dryRun) list.reload();
    } catch (err) {
      setError(err instanceof ApiError ? `${err.message}${err.field ? ` (${err.field})` : ''}` : t('common.unexpectedError'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="tab-panel" data-testid="ind-releases">
      {canImport ? (
        <section className="card">
          <h2 className="card-title">{t('indicators.import.title')}</h2>
          <p className="muted">{t('indicators.import.help')}</p>
          <form
            className="ind-upload"
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <label>
              {t('indicators.source')}
              <select value={source} onChange={(e) => setSource(e.target.value as SourceId)} data-testid="ind-import-source">
                {SOURCE_IDS.map((id) => (
                  <option key={id} value={id}>
                    {SOURCES[id].label[lang]}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('indicators.import.release')}
              <input type="month" value={release} onChange={(e) => setRelease(e.target.value)} required data-testid="ind-import-release" />
            </label>
            <label>
              {t('indicators.import.file')}
              <input
                type="file"
                accept=".csv,text/csv"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
                required
                data-testid="ind-import-file"
              />
            </label>
            <label className="ind-check">
              <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} data-testid="ind-import-dry" />
              {t('indicators.import.dryRun')}
            </label>
            <label className="ind-check">
              <input
                type="checkbox"
                checked={confirmRemovals}
                onChange={(e) => setConfirmRemovals(e.target.checked)}
                data-testid="ind-import-confirm"
              />
              {t('indicators.import.confirmRemovals')}
            </label>
            <button type="submit" className="btn btn--primary" disabled={busy || !file || !release} data-testid="ind-import-submit">
              {t('indicators.import.submit')}
            </button>
          </form>
          {error ? (
            <Alert kind="error" testId="ind-import-error">
              {error}
            </Alert>
          ) : null}
          {result ? (
            <Alert kind="success" testId="ind-import-result">
              {t(`indicators.import.outcome.${result.outcome}`)}
              {result.dryRun ? ` ${t('indicators.import.nothingWritten')}` : ''}
              {result.change
                ? ` ${t('indicators.import.changeSummary', { previous: result.change.previous.release, changed: result.change.changedCells, removed: result.change.removedCells, added: result.change.addedCells })}`
                : ''}
            </Alert>
          ) : null}
        </section>
      ) : null}
      <section className="card">
        <h2 className="card-title">{t('indicators.releases.title')}</h2>
        {list.error ? <Alert kind="error">{list.error}</Alert> : null}
        <div className="table-wrap">
          <table className="table table--dense ind-releases-table">
            <thead>
              <tr>
                <th>{t('indicators.source')}</th>
                <th>{t('indicators.level')}</th>
                <th>{t('indicators.release')}</th>
                <th>{t('indicators.releases.status')}</th>
                <th>{t('indicators.releases.coverage')}</th>
                <th>{t('indicators.releases.file')}</th>
                <th>{t('indicators.releases.imported')}</th>
                <th>{t('indicators.releases.changes')}</th>
              </tr>
            </thead>
            <tbody>
              {(list.data?.releases ?? []).map((r) => (
                <tr key={r.id} data-testid="ind-release-row" data-release={r.release} data-source={r.source}>
                  <td title={SOURCES[r.source].label[lang]}>
                    {SOURCES[r.source].publisher} <span className="mono">{r.source}</span>
                  </td>
                  <td>{t(`indicators.levels.${r.level}`)}</td>
                  <td>{r.release}</td>
                  <td>
                    {r.status === 'replaced'
                      ? t('indicators.releases.replaced')
                      : r.current
                        ? t('indicators.releases.current')
                        : t('indicators.releases.earlier')}
                  </td>
                  <td>
                    {r.coverage.from} – {r.coverage.to}
                  </td>
                  <td>
                    {r.fileName} <small className="muted">({r.encoding})</small>
                  </td>
                  <td>
                    {r.importedAt.slice(0, 16).replace('T', ' ')} · {r.importedBy}
                  </td>
                  <td>
                    {r.change ? (
                      <button
                        type="button"
                        className="btn btn--link"
                        onClick={() => void getIndicatorReleaseChanges(r.id).then(setChanges)}
                        data-testid="ind-release-changes"
                      >
                        {t('indicators.import.changeSummary', {
                          previous: r.change.previous.release,
                          changed: r.change.changedCells,
                          removed: r.change.removedCells,
                          added: r.change.addedCells,
                        })}
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {changes ? (
        <section className="card" data-testid="ind-changes">
          <h2 className="card-title">{t('indicators.releases.changesOf', { release: changes.release, total: changes.total })}</h2>
          <div className="table-wrap">
            <table className="table table--dense">
              <thead>
                <tr>
                  <th>{t('indicators.crime')}</th>
                  <th>{t('indicators.area')}</th>
                  <th>{t('indicators.month')}</th>
                  <th className="num">{t('indicators.releases.before')}</th>
                  <th className="num">{t('indicators.releases.after')}</th>
                  <th className="num">{t('indicators.releases.delta')}</th>
                </tr>
              </thead>
              <tbody>
                {changes.changes.map((c) => (
                  <tr key={`${c.crime}-${c.area}-${c.month}`}>
                    <td>{c.crime in CRIMES ? CRIMES[c.crime as CrimeKey].label[lang] : c.crime}</td>
                    <td>{c.areaName}</td>
                    <td>{c.month}</td>
                    <td className="num">{c.old}</td>
                    <td className="num">{c.new ?? t('indicators.releases.withdrawn')}</td>
                    <td className="num">{c.delta === null ? '—' : c.delta > 0 ? `+${c.delta}` : c.delta}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  );
}
