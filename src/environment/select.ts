/** Which environments a run builds, and the pipeline's overrides of them: the logic beside the environments file. */
import { ConfigError, resolveEnvironment } from './resolve';
import { EnvironmentConfig, EnvironmentSettings, ServiceSettings } from './config';
import { DEFAULT_SERVICES } from '../services/settings';
import { IMAGE_REFERENCE_FORMS, parseImageReference } from '../services/image-reference';
import { DEFAULT_ENVIRONMENTS, ENVIRONMENTS } from '../environments';

/** The demo service, built from workload/. */
export const HOST_NAME_SERVICE = 'host-name';

/** The variable that maps services to the images the pipeline built for them. */
export const IMAGES_VARIABLE = 'HOST_NAME_IMAGES';

/** Pipeline overrides, read from the environment so CI needs no config edits. */
export interface Overrides {
  /**
   * HOST_NAME_IMAGES: service name -> image URI. Each such service runs that image instead of
   * building its directory; an environment without the service ignores its entry.
   */
  readonly images?: Readonly<Record<string, unknown>>;
  /** HOST_NAME_STATE_BUCKET (+ HOST_NAME_STATE_REGION): remote state in S3 with native locking. */
  readonly stateBucket?: string;
  readonly stateRegion?: string;
}

export function overridesFromEnv(env: NodeJS.ProcessEnv): Overrides {
  return {
    images: imagesFromEnv(env[IMAGES_VARIABLE]),
    stateBucket: env.HOST_NAME_STATE_BUCKET || undefined,
    stateRegion: env.HOST_NAME_STATE_REGION || undefined,
  };
}

/** HOST_NAME_IMAGES parsed: a JSON object, else a ConfigError naming the variable. Its keys and URIs are checked against the environments. */
function imagesFromEnv(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(
      undefined,
      IMAGES_VARIABLE,
      text,
      `a JSON object of service name to image URI, e.g. {"${HOST_NAME_SERVICE}":"<registry>/<repository>@sha256:<digest>"}`,
    );
  }
  return parsed as Record<string, unknown>;
}

/**
 * Resolves and validates the environments named on the command line (or HOST_NAME_ENVS), the
 * DEFAULT_ENVIRONMENTS when none is named. Every environment is validated before any stack is created.
 */
export function selectEnvironments(
  names: readonly string[],
  overrides: Overrides = {},
  environments: Readonly<Record<string, EnvironmentSettings>> = ENVIRONMENTS,
): EnvironmentConfig[] {
  const known = Object.keys(environments);
  const defaults = environments === ENVIRONMENTS ? DEFAULT_ENVIRONMENTS : known;
  const chosen = names.length > 0 ? names : defaults;
  for (const name of chosen) {
    if (!known.includes(name)) {
      throw new ConfigError(name, 'name', name, `one of ${known.join(', ')}`);
    }
  }
  const images = checkImages(overrides.images ?? {}, environments);
  return [...new Set(chosen)].map((name) => resolveEnvironment(name, applyOverrides(environments[name], overrides, images)));
}

/**
 * The image overrides, each key a service of some environment (the pipeline passes one map to
 * every environment) and each value an image URI. Checked whole, before any environment resolves.
 */
function checkImages(
  images: Readonly<Record<string, unknown>>,
  environments: Readonly<Record<string, EnvironmentSettings>>,
): Record<string, string> {
  const services = [...new Set(Object.values(environments).flatMap((e) => Object.keys(e.services ?? DEFAULT_SERVICES)))].sort();
  for (const [service, uri] of Object.entries(images)) {
    const field = `${IMAGES_VARIABLE}[${JSON.stringify(service)}]`;
    if (!services.includes(service)) {
      throw new ConfigError(undefined, field, uri, `a key naming a service of an environment: one of ${services.join(', ')}`);
    }
    if (typeof uri !== 'string' || parseImageReference(uri) === undefined)
      throw new ConfigError(undefined, field, uri, IMAGE_REFERENCE_FORMS);
  }
  return images as Record<string, string>;
}

function applyOverrides(settings: EnvironmentSettings, o: Overrides, images: Readonly<Record<string, string>>): EnvironmentSettings {
  const services = Object.entries(images).reduce(
    (all, [service, uri]) => withImage(all, service, uri),
    settings.services ?? DEFAULT_SERVICES,
  );
  return {
    ...settings,
    services: Object.keys(images).length > 0 ? services : settings.services,
    state: o.stateBucket ? { bucket: o.stateBucket, region: o.stateRegion } : settings.state,
  };
}

/** `services` with one service's image replaced by a URI; unchanged when there is no such service. */
export function withImage(services: Readonly<Record<string, ServiceSettings>>, name: string, uri: string): Record<string, ServiceSettings> {
  if (!(name in services)) return { ...services };
  return { ...services, [name]: { ...services[name], image: { uri } } };
}

/** Environment names from the command line, else from HOST_NAME_ENVS (comma-separated). */
export function requestedEnvironments(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const fromArgs = argv.filter((a) => a.trim() !== '');
  if (fromArgs.length > 0) return fromArgs;
  return (env.HOST_NAME_ENVS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
