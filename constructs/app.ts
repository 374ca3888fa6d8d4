import { App } from 'cdktf';
import { EnvironmentConfig } from './config';
import { ENVIRONMENTS, selectEnvironments } from './environments';
import { HostNameStack, HostNameStackProps } from './host-name-stack';
import { REGISTRY_STACK_NAME, RegistryStack, registryRepositoryName } from './registry-stack';
import { STATE_STACK_NAME, StateBootstrapStack } from './state-bootstrap-stack';

/** Stack names are part of the interface (`cdktf deploy host-name-dev`): keep them stable. */
export function stackName(environment: string): string {
  return `host-name-${environment}`;
}

/** One HostNameStack per environment; main.ts and the tests build the app the same way. */
export function addEnvironmentStacks(
  app: App,
  configs: readonly EnvironmentConfig[],
  props: Omit<HostNameStackProps, 'config'> = {},
): HostNameStack[] {
  return configs.map((config) => new HostNameStack(app, stackName(config.name), { ...props, config }));
}

/**
 * The bucket(s) the environments' S3 backends use, as their own stack(s), deployed once before
 * the environments: `host-name-state`, or `host-name-state-<env>` when environments use
 * different buckets. None when every environment keeps local state.
 */
export function addStateBootstrapStacks(app: App, configs: readonly EnvironmentConfig[]): StateBootstrapStack[] {
  const byBucket = new Map<string, EnvironmentConfig>();
  for (const config of configs) {
    if (config.state && !byBucket.has(config.state.bucket)) byBucket.set(config.state.bucket, config);
  }
  return [...byBucket.values()].map(
    (config) =>
      new StateBootstrapStack(app, byBucket.size === 1 ? STATE_STACK_NAME : `${STATE_STACK_NAME}-${config.name}`, config.state!),
  );
}

/**
 * The shared registry (`host-name-registry`), owner of every ECR repository, in the first environment's
 * region: a pipeline repository per service that any of `configs` builds from a directory, and per
 * environment and such service the repository `cdktf deploy` from a laptop builds into. Give it the
 * environments as configured, not with HOST_NAME_IMAGE_URI applied, or the pipeline's own synth would
 * drop the repositories.
 */
export function addRegistryStack(app: App, configs: readonly EnvironmentConfig[]): RegistryStack {
  const built = configs.flatMap((c) => c.services.filter((s) => s.image.kind === 'build').map((s) => s.name));
  const services = [...new Set(built)].sort();
  // One resource per name: two environments (or an environment and the pipeline) may share a repository.
  const names = new Set(services.map(registryRepositoryName));
  const environmentRepositories = configs.flatMap((c) =>
    c.services.flatMap((s) => {
      if (s.image.kind !== 'build' || names.has(s.image.repositoryName)) return [];
      names.add(s.image.repositoryName);
      return [{ environment: c.name, service: s.name, name: s.image.repositoryName, forceDelete: c.image.forceDelete }];
    }),
  );
  return new RegistryStack(app, REGISTRY_STACK_NAME, {
    services,
    environmentRepositories,
    region: configs[0].region,
    untaggedImageDays: Math.min(...configs.map((c) => c.image.untaggedImageDays)),
  });
}

/** What the registry serves: every known environment as configured (no image override), so one named on the command line finds its repository. */
export function registryEnvironments(): EnvironmentConfig[] {
  return selectEnvironments(Object.keys(ENVIRONMENTS));
}
