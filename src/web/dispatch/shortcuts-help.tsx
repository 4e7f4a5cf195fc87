import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

const INTAKE_KEYS = [
  ['F2', 'newCall'],
  ['Enter', 'registerCall'],
  ['F3', 'type'],
  ['↑ ↓ Enter', 'pick'],
  ['F4', 'location'],
  ['Ctrl+Enter', 'create'],
] as const;
const BOARD_KEYS = [
  ['Alt+I', 'incidents'],
  ['Alt+U', 'units'],
  ['Alt+A', 'alerts'],
  ['↑ ↓ Enter', 'rows'],
  ['Ctrl+Enter', 'note'],
  ['Esc', 'closeDetail'],
  ['F1 / ?', 'help'],
] as const;

/** The keyboard shortcuts of the console. */
export function ShortcutsHelp({ open, onClose, intake }: { open: boolean; onClose: () => void; intake: boolean }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      closeRef.current?.focus();
    } else if (!open && d.open) d.close();
  }, [open]);
  const rows = (list: readonly (readonly [string, string])[]) =>
    list.map(([k, id]) => (
      <tr key={id}>
        <th scope="row">
          <kbd>{k}</kbd>
        </th>
        <td>{t(`dispatch.shortcuts.${id}`)}</td>
      </tr>
    ));
  return (
    <dialog
      ref={ref}
      className="dialog dialog--wide"
      aria-labelledby="shortcuts-title"
      data-testid="shortcuts-help"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id="shortcuts-title" className="dialog-title">
        {t('dispatch.shortcuts.title')}
      </h2>
      <div className="shortcuts">
        {intake ? (
          <table className="shortcut-table">
            <caption>{t('dispatch.shortcuts.intakeGroup')}</caption>
            <tbody>{rows(INTAKE_KEYS)}</tbody>
          </table>
        ) : null}
        <table className="shortcut-table">
          <caption>{t('dispatch.shortcuts.boardGroup')}</caption>
          <tbody>{rows(BOARD_KEYS)}</tbody>
        </table>
      </div>
      <div className="dialog-actions">
        <button type="button" ref={closeRef} className="btn btn--primary" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </dialog>
  );
}
