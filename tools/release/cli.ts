/**
 * What the pipeline builds, once, for every deployed environment (DEFAULT_ENVIRONMENTS):
 * - `npm run --silent release -- services`: every service built from a directory, as one line of
 *   JSON for a GitHub Actions matrix (`include`): service, directory (the build context), dockerfile,
 *   platform, tag (source hash + architecture, as the docker provider tags it on a laptop) and
 *   repository (in the host-name-registry stack);
 * - `npm run --silent release -- image <service>`: one of them, as `key=value` lines for $GITHUB_OUTPUT.
 * Bad input: one line on stderr, exit code 2.
 */
import { posix, relative } from 'node:path';
import { EnvironmentConfig } from '../../src/environment/config';
import { exitOnConfigError, ConfigError } from '../../src/environment/resolve';
import { imageTag } from '../../src/services/container-image';
import { DEFAULT_ENVIRONMENTS } from '../../src/environments';
import { selectEnvironments } from '../../src/environment/select';
import { dockerPlatform } from '../../src/compute/instance-types';
import { registryRepositoryName } from '../../src/bootstrap/registry-stack';
import { REPOSITORY_ROOT } from '../../src/services/resolve';
import { sourceHash } from '../../src/services/source-hash';

export const USAGE = 'usage: npm run --silent release -- services | image <service>';

/** One leg of deploy.yml's build matrix. */
export interface ReleaseService {
  readonly service: string;
  readonly directory: string;
  readonly dockerfile: string;
  readonly platform: string;
  readonly tag: string;
  readonly repository: string;
}

/** The one image of `service` that every deployed environment runs. */
export function releaseImage(
  service: string,
  configs: readonly EnvironmentConfig[] = selectEnvironments(DEFAULT_ENVIRONMENTS),
): Record<string, string> {
  const builds = configs.flatMap((c) =>
    c.services
      .filter((s) => s.name === service && s.image.kind === 'build')
      .map((s) => ({ env: c.name, service: s, platform: dockerPlatform(c.instanceSpec) })),
  );
  const built = configs.flatMap((c) => c.services.filter((s) => s.image.kind === 'build').map((s) => s.name));
  if (builds.length === 0)
    throw new ConfigError(
      'release',
      'service',
      service,
      `a service built from a directory: one of ${[...new Set(built)].sort().join(', ')}`,
    );
  const platforms = [...new Set(builds.map((b) => b.platform))];
  const directories = [...new Set(builds.map((b) => (b.service.image.kind === 'build' ? b.service.image.directory : '')))];
  if (platforms.length > 1 || directories.length > 1) {
    const what = builds.map((b) => `${b.env} ${b.platform}`).join(', ');
    throw new ConfigError(
      'release',
      'service',
      service,
      `one build for every environment (same directory and architecture); they differ: ${what}`,
    );
  }
  return {
    // The repository root itself is '.', never '' (an empty build context).
    directory: relative(REPOSITORY_ROOT, directories[0]) || '.',
    platform: platforms[0],
    tag: imageTag(sourceHash(directories[0]), platforms[0]),
    repository: registryRepositoryName(service),
  };
}

/** Every service built from a directory in any of `configs`, by name: what the pipeline builds and promotes. */
export function releaseServices(configs: readonly EnvironmentConfig[] = selectEnvironments(DEFAULT_ENVIRONMENTS)): ReleaseService[] {
  const built = configs.flatMap((c) => c.services.filter((s) => s.image.kind === 'build').map((s) => s.name));
  return [...new Set(built)].sort().map((service) => {
    const { directory, platform, tag, repository } = releaseImage(service, configs);
    // The docker provider builds the Dockerfile at the context's top (ContainerImage); so does the pipeline.
    return { service, directory, dockerfile: posix.join(directory, 'Dockerfile'), platform, tag, repository };
  });
}

export function run(argv: readonly string[], out: (text: string) => void): void {
  const [command, service, ...rest] = argv;
  if (command === 'services' && argv.length === 1) {
    out(`${JSON.stringify(releaseServices())}\n`);
    return;
  }
  if (command !== 'image' || !service || rest.length > 0)
    throw new ConfigError('release', 'arguments', argv.join(' '), USAGE.replace('usage: ', ''));
  for (const [key, value] of Object.entries(releaseImage(service))) out(`${key}=${value}\n`);
}

if (require.main === module) exitOnConfigError(() => run(process.argv.slice(2), (text) => process.stdout.write(text)));
