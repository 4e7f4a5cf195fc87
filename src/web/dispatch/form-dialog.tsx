import { useEffect, useRef, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

type Props = {
  open: boolean;
  title: string;
  confirmLabel: string;
  busy?: boolean;
  danger?: boolean;
  error?: string;
  onConfirm: () => void;
  onCancel: () => void;
  testId: string;
  children: ReactNode;
};

/** A small modal form (native <dialog>): focus on its first field, Enter submits, Escape cancels. */
export function FormDialog({ open, title, confirmLabel, busy, danger, error, onConfirm, onCancel, testId, children }: Props) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      d.querySelector<HTMLElement>('select, input, textarea')?.focus();
    } else if (!open && d.open) d.close();
  }, [open]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy) onConfirm();
  };
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${testId}-title`}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <form onSubmit={submit} className="form form--dialog">
        <h2 id={`${testId}-title`} className="dialog-title">
          {title}
        </h2>
        {open ? children : null}
        {error ? (
          <p className="field-error" role="alert" data-testid={`${testId}-error`}>
            {error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onCancel} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className={`btn ${danger ? 'btn--danger' : 'btn--primary'}`} disabled={busy} data-testid={`${testId}-ok`}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
