/** Which environments a run builds, and the pipeline's overrides of them: the logic beside the environments file. */
import { ConfigError, resolveEnvironment } from './resolve';
import { EnvironmentConfig, EnvironmentSettings, ServiceSettings } from './config';
import { DEFAULT_SERVICES } from '../services/settings';
import { DEFAULT_ENVIRONMENTS, ENVIRONMENTS } from '../environments';

/** The service HOST_NAME_IMAGE_URI replaces the image of. */
export const HOST_NAME_SERVICE = 'host-name';

/** Pipeline overrides, read from the environment so CI needs no config edits. */
export interface Overrides {
  /** HOST_NAME_IMAGE_URI: the host-name service runs this image instead of building workload/ (environments without that service ignore it). */
  readonly imageUri?: string;
  /** HOST_NAME_STATE_BUCKET (+ HOST_NAME_STATE_REGION): remote state in S3 with native locking. */
  readonly stateBucket?: string;
  readonly stateRegion?: string;
}

export function overridesFromEnv(env: NodeJS.ProcessEnv): Overrides {
  return {
    imageUri: env.HOST_NAME_IMAGE_URI || undefined,
    stateBucket: env.HOST_NAME_STATE_BUCKET || undefined,
    stateRegion: env.HOST_NAME_STATE_REGION || undefined,
  };
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
  return [...new Set(chosen)].map((name) => resolveEnvironment(name, applyOverrides(environments[name], overrides)));
}

function applyOverrides(settings: EnvironmentSettings, o: Overrides): EnvironmentSettings {
  return {
    ...settings,
    services: o.imageUri ? withImage(settings.services ?? DEFAULT_SERVICES, HOST_NAME_SERVICE, o.imageUri) : settings.services,
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
