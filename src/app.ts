import { App } from 'cdktf';
import { EnvironmentConfig } from './environment/config';
import { ENVIRONMENTS } from './environments';
import { selectEnvironments } from './environment/select';
import { EnvironmentStack, EnvironmentStackProps } from './environment/environment-stack';
import { RegistryStack, registryRepositoryName } from './bootstrap/registry-stack';
import { ConfigError } from './environment/resolve';
import { GITHUB_REPOSITORY } from './bootstrap/github-oidc-roles';
import { StateBootstrapStack } from './bootstrap/state-bootstrap-stack';
import { environmentStackName, REGISTRY_STACK_NAME } from './shared/names';
import { stateStacks } from './environment/stacks';

/** One EnvironmentStack per environment; main.ts and the tests build the app the same way. */
export function addEnvironmentStacks(
  app: App,
  configs: readonly EnvironmentConfig[],
  props: Omit<EnvironmentStackProps, 'config'> = {},
): EnvironmentStack[] {
  return configs.map((config) => new EnvironmentStack(app, environmentStackName(config.name), { ...props, config }));
}

/**
 * The bucket(s) the environments' S3 backends use, as their own stack(s), deployed once before
 * the environments: `host-name-state`, or `host-name-state-<env>` when environments use
 * different buckets. None when every environment keeps local state. With a GitHub repository
 * (HOST_NAME_GITHUB_REPOSITORY), each also holds the CI roles of the environments using its bucket.
 */
export function addStateBootstrapStacks(app: App, configs: readonly EnvironmentConfig[], githubRepository?: string): StateBootstrapStack[] {
  const stacks = stateStacks(configs);
  if (githubRepository !== undefined && stacks.length > 0 && !GITHUB_REPOSITORY.test(githubRepository)) {
    throw new ConfigError(
      stacks[0].users[0].name,
      'HOST_NAME_GITHUB_REPOSITORY',
      githubRepository,
      'owner/repository as GitHub spells it, e.g. my-org/host-name',
    );
  }
  if (githubRepository !== undefined && stacks.length > 1) {
    const [second] = stacks[1].users;
    throw new ConfigError(
      second.name,
      'state.bucket',
      second.state!.bucket,
      `the bucket of the other environments with HOST_NAME_GITHUB_REPOSITORY: the CI roles are one set per account`,
    );
  }
  return stacks.map(
    ({ name, users }) =>
      new StateBootstrapStack(app, name, {
        ...users[0].state!,
        github: githubRepository
          ? {
              repository: githubRepository,
              environments: users.map((c) => c.name),
              blueGreenEnvironments: users.filter((c) => c.services.some((s) => s.deployment.blueGreen)).map((c) => c.name),
            }
          : undefined,
      }),
  );
}

/**
 * The shared registry (`host-name-registry`), owner of every ECR repository, in the first environment's
 * region: a pipeline repository per service that any of `configs` builds from a directory, and per
 * environment and such service the repository `cdktf deploy` from a laptop builds into. Give it the
 * environments as configured, not with HOST_NAME_IMAGES applied, or the pipeline's own synth would
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
