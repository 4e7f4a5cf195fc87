import type { ReactNode } from 'react';

type FieldProps = {
  id: string;
  label: ReactNode;
  error?: string;
  help?: ReactNode;
  children: ReactNode;
  className?: string;
};

/** A labelled form control with its help text and its error (announced to screen readers). */
export function Field({ id, label, error, help, children, className }: FieldProps) {
  return (
    <div className={`field${error ? ' field--error' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {help && !error ? (
        <p className="field-help" id={`${id}-help`}>
          {help}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The aria attributes that tie a control to its Field's help and error. */
export function controlAria(id: string, error: string | undefined, hasHelp = false) {
  const describedBy = error ? `${id}-error` : hasHelp ? `${id}-help` : undefined;
  return { 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy } as const;
}
