import { EnvironmentConfig, EnvironmentSettings } from './config';
import { ConfigError, resolveEnvironment } from './config-validation';

/**
 * The environments this app deploys. Anything not set here takes the default documented in
 * config.ts. Adding an environment is adding an entry.
 */
export const ENVIRONMENTS: Readonly<Record<string, EnvironmentSettings>> = {
  // The tutorial's shape at the lowest cost: one NAT gateway, t2.micro, one task per instance.
  dev: {
    region: 'us-east-1',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    vpcCidr: '10.10.0.0/16',
    natMode: 'single',
    instanceType: 't2.micro',
    capacity: { min: 1, max: 2 },
    // The reservation is what placement counts: measured peak RSS is ~170-270 MiB (bench/RESULTS.md), so
    // 320 MiB fits two tasks on a t2.micro while the hard limit stays 512 MiB.
    task: { cpu: 512, memoryMiB: 512, memoryReservationMiB: 320 },
    service: { minTasks: 1, maxTasks: 2, requestsPerTarget: 50 },
    // Throwaway images: destroy may delete the repository with them.
    image: { forceDelete: true },
    logRetentionDays: 14,
  },
  // Survives an AZ outage: three AZs, a NAT gateway per AZ, flow logs, access logs, deletion protection.
  prod: {
    region: 'us-east-1',
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    vpcCidr: '10.20.0.0/16',
    natMode: 'per-az',
    flowLogs: true,
    instanceType: 't3.small',
    capacity: { min: 2, max: 5 },
    task: { cpu: 1024, memoryMiB: 768 },
    service: { minTasks: 2, maxTasks: 10, requestsPerTarget: 50 },
    loadBalancer: { deletionProtection: true, accessLogs: true },
    logRetentionDays: 90,
  },
};

/** Pipeline overrides, read from the environment so CI needs no config edits. */
export interface Overrides {
  /** HOST_NAME_IMAGE_URI: deploy this image instead of building workload/. */
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
 * Resolves and validates the environments named on the command line (or HOST_NAME_ENVS), all of
 * them when none is named. Every environment is validated before any stack is created.
 */
export function selectEnvironments(
  names: readonly string[],
  overrides: Overrides = {},
  environments: Readonly<Record<string, EnvironmentSettings>> = ENVIRONMENTS,
): EnvironmentConfig[] {
  const known = Object.keys(environments);
  const chosen = names.length > 0 ? names : known;
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
    image: o.imageUri ? { ...settings.image, uri: o.imageUri } : settings.image,
    state: o.stateBucket ? { bucket: o.stateBucket, region: o.stateRegion } : settings.state,
  };
}

/** Environment names from the command line, else from HOST_NAME_ENVS (comma-separated). */
export function requestedEnvironments(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const fromArgs = argv.filter((a) => a.trim() !== '');
  if (fromArgs.length > 0) return fromArgs;
  return (env.HOST_NAME_ENVS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}
