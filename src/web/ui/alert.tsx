import type { ReactNode } from 'react';

type AlertProps = {
  kind: 'error' | 'success' | 'info' | 'warning';
  children: ReactNode;
  testId?: string;
  onClose?: () => void;
  closeLabel?: string;
};

/** A message strip; errors are announced at once, the rest politely. */
export function Alert({ kind, children, testId, onClose, closeLabel }: AlertProps) {
  return (
    <div className={`alert alert--${kind}`} role={kind === 'error' ? 'alert' : 'status'} data-testid={testId}>
      <div className="alert-body">{children}</div>
      {onClose ? (
        <button type="button" className="alert-close" onClick={onClose} aria-label={closeLabel}>
          ×
        </button>
      ) : null}
    </div>
  );
}
