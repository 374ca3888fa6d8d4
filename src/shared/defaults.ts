/**
 * `defaults` with every field `given` sets (not undefined) in its place. Only the defaults' keys are
 * read, so the result has exactly the resolved shape.
 */
export function withDefaults<T extends object>(defaults: T, given: { readonly [K in keyof T]?: T[K] } | undefined): T {
  const out = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof T)[]) {
    const value = given?.[key];
    if (value !== undefined) out[key] = value as T[keyof T];
  }
  return out;
}
