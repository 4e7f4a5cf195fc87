import { forwardRef } from 'react';
import { controlAria } from '../ui/field.js';

type CodeInputProps = { id: string; value: string; onChange: (v: string) => void; error?: string; disabled?: boolean };

/** The 6-digit TOTP code: numeric keypad on phones, filled by the OS from an authenticator where it can. */
export const CodeInput = forwardRef<HTMLInputElement, CodeInputProps>(function CodeInput({ id, value, onChange, error, disabled }, ref) {
  return (
    <input
      id={id}
      ref={ref}
      className="code-input"
      name="code"
      type="text"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      maxLength={6}
      spellCheck={false}
      value={value}
      disabled={disabled}
      onChange={(e) => onChange(e.target.value.replace(/\D/g, '').slice(0, 6))}
      data-testid="mfa-code"
      {...controlAria(id, error)}
    />
  );
});
