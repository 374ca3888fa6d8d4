/**
 * Unknown fields stop synth: TypeScript sees a misspelled field only where the object is typed, and
 * an optional field spelled wrong otherwise falls back to its default without a word. Each area
 * writes its settings' field names once as a `Fields<T>` (tsc fails when one is missing or extra),
 * and `checkKnownFields` walks an environment's settings against them before anything resolves.
 */
import { Validator } from './validator';

/** A field whose value is not walked further (a scalar, a list, or free-form). */
export type Leaf = true;

/** A map whose keys are names (services, alarm overrides): each value is checked against `values`. */
export class MapOf<T> {
  constructor(readonly values: Fields<T>) {}
}

/** Every field of T, each `true` or the fields of its own object type. */
export type Fields<T> = { readonly [K in keyof Required<T>]: Leaf | Fields<ObjectOf<T[K]>> | MapOf<unknown> };
type ObjectOf<V> = Exclude<NonNullable<V>, string | number | boolean | readonly unknown[]>;

export function mapOf<T>(values: Fields<T>): MapOf<T> {
  return new MapOf(values);
}

type Schema = Leaf | MapOf<unknown> | { readonly [key: string]: Schema };

/** Throws a ConfigError naming the first field at any depth of `value` that `fields` does not know. */
export function checkKnownFields(v: Validator, fields: Schema, value: unknown, at = ''): void {
  if (fields === true || value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const entries = Object.entries(value as Record<string, unknown>);
  if (fields instanceof MapOf) {
    for (const [key, item] of entries) checkKnownFields(v, fields.values as Schema, item, `${at}${key}.`);
    return;
  }
  const known = fields;
  for (const [key, item] of entries) {
    if (!Object.hasOwn(known, key)) {
      const names = Object.keys(known);
      const near = nearest(key, names);
      const allowed = near ? `a known field; did you mean ${at}${near}?` : `a known field: one of ${names.join(', ')}`;
      v.check(`${at}${key}`, item, false, allowed);
    }
    checkKnownFields(v, known[key], item, `${at}${key}.`);
  }
}

/** The known name closest to `name` by edit distance, when it is close enough to be a typo. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
