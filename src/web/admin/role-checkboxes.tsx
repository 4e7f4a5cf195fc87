import { useTranslation } from 'react-i18next';
import type { Role } from '../api.js';

type RoleCheckboxesProps = {
  id: string;
  legend: string;
  roles: readonly Role[];
  value: Role[];
  onChange: (roles: Role[]) => void;
  error?: string;
  help?: string;
  disabled?: boolean;
};

/** The roles as a group of checkboxes, in the platform's order. */
export function RoleCheckboxes({ id, legend, roles, value, onChange, error, help, disabled }: RoleCheckboxesProps) {
  const { t } = useTranslation();
  const toggle = (r: Role, on: boolean) => onChange(roles.filter((x) => (x === r ? on : value.includes(x))));
  return (
    <fieldset
      className={`field role-set${error ? ' field--error' : ''}`}
      id={id}
      aria-describedby={error ? `${id}-error` : help ? `${id}-help` : undefined}
      data-testid={`${id}-roles`}
    >
      <legend>{legend}</legend>
      <div className="role-grid">
        {roles.map((r) => (
          <label key={r} className="check">
            <input
              type="checkbox"
              checked={value.includes(r)}
              onChange={(e) => toggle(r, e.target.checked)}
              disabled={disabled}
              data-testid={`${id}-role-${r}`}
            />
            <span>{t(`roles.${r}`)}</span>
          </label>
        ))}
      </div>
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
    </fieldset>
  );
}
