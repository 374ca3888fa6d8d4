/** The one kind of bad-input error, and the checks that raise it. */

/**
 * Bad input: names the environment, the field, the value given and what is allowed. Without an
 * environment (input that is no one environment's, such as a variable every environment reads), the field names it alone.
 */
export class ConfigError extends Error {
  constructor(
    readonly environment: string | undefined,
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(
      `${environment === undefined ? '' : `environment "${environment}": `}${field} = ${show(value)} is not allowed; expected ${allowed}`,
    );
    this.name = 'ConfigError';
  }
}

function show(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** Lowercase letters, digits and inner hyphens: environment names, name prefixes, service names. */
export const NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

/** An AMI id: `ami-` and 8 or 17 hexadecimal digits. */
export const AMI_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** Throws a ConfigError for the first field that fails a check. */
export class Validator {
  constructor(readonly environment: string) {}

  check(field: string, value: unknown, ok: boolean, allowed: string): void {
    if (!ok) throw new ConfigError(this.environment, field, value, allowed);
  }

  integer(field: string, value: number, min: number, max: number, allowed = `a whole number from ${min} to ${max}`): void {
    this.check(field, value, Number.isInteger(value) && value >= min && value <= max, allowed);
  }
}
