/**
 * What the pipeline builds, once, for every deployed environment (DEFAULT_ENVIRONMENTS), and how it
 * rolls out the services CodeDeploy deploys:
 * - `npm run --silent release -- services`: every service built from a directory, as one line of
 *   JSON for a GitHub Actions matrix (`include`): service, directory (the build context), dockerfile,
 *   platform, tag (source hash + architecture, as the docker provider tags it on a laptop) and
 *   repository (in the host-name-registry stack);
 * - `npm run --silent release -- image <service>`: one of them, as `key=value` lines for $GITHUB_OUTPUT;
 * - `npm run --silent release -- blue-green <env>`: the environment's blue-green services, one a line;
 * - `npm run release -- deploy <env> <service>`: a CodeDeploy deployment of one of them (deploy.ts).
 * Bad input: one line on stderr, exit code 2; a deployment that failed, stopped or rolled back: exit code 1.
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
import { resolveEnvironmentName } from '../../src/environment/stacks';
import { Clock, DeploymentFailed, realClock } from '../ops/aws';
import { describeFailure } from '../ops/cli';
import {
  blueGreenServices,
  deployBlueGreen,
  DeployClients,
  deployClients,
  deployTimeoutMinutes,
  readBlueGreenTarget,
  readStack,
  stackDirectory,
} from './deploy';

export const USAGE =
  'usage: npm run --silent release -- services | image <service> | blue-green <env> | deploy <env> <service> [--task-definition|--stack-dir|--timeout-minutes <value>]';

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

const badArguments = (argv: readonly string[]) => new ConfigError('release', 'arguments', argv.join(' '), USAGE.replace('usage: ', ''));

/** An environment by its name or its stack's. */
const environment = (name: string) => selectEnvironments([resolveEnvironmentName(name)])[0];

export function run(argv: readonly string[], out: (text: string) => void): void {
  const [command, name, ...rest] = argv;
  if (command === 'services' && argv.length === 1) {
    out(`${JSON.stringify(releaseServices())}\n`);
    return;
  }
  if (command === 'blue-green' && name && rest.length === 0) {
    for (const service of blueGreenServices(environment(name))) out(`${service}\n`);
    return;
  }
  if (command !== 'image' || !name || rest.length > 0) throw badArguments(argv);
  for (const [key, value] of Object.entries(releaseImage(name))) out(`${key}=${value}\n`);
}

/** `deploy <env> <service> [--task-definition <arn>] [--stack-dir <dir>] [--timeout-minutes <n>]`. */
export function parseDeploy(argv: readonly string[]) {
  const [command, env, service, ...rest] = argv;
  if (command !== 'deploy' || !env || !service || rest.length % 2 !== 0) throw badArguments(argv);
  const options: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    if (!['--task-definition', '--stack-dir', '--timeout-minutes'].includes(rest[i])) throw badArguments(argv);
    options[rest[i]] = rest[i + 1];
  }
  const minutes = options['--timeout-minutes'];
  if (minutes !== undefined && !(/^\d+$/.test(minutes) && Number(minutes) >= 1 && Number(minutes) <= 6000)) {
    throw new ConfigError('release', '--timeout-minutes', minutes, 'a whole number of minutes from 1 to 6000');
  }
  return {
    env,
    service,
    taskDefinition: options['--task-definition'],
    stackDir: options['--stack-dir'],
    timeoutMinutes: minutes === undefined ? undefined : Number(minutes),
  };
}

/** Deploys a blue-green service of a synthesized, applied environment through CodeDeploy. */
export async function runDeploy(
  argv: readonly string[],
  out: (text: string) => void,
  connect: (region: string) => DeployClients = deployClients,
  clock: Clock = realClock,
): Promise<void> {
  const args = parseDeploy(argv);
  const config = environment(args.env);
  const target = readBlueGreenTarget(readStack(config, args.stackDir ?? stackDirectory(config.name)), config, args.service);
  const minutes = args.timeoutMinutes ?? deployTimeoutMinutes(config, args.service);
  await deployBlueGreen(connect(config.region), config, target, {
    clock,
    timeoutMs: minutes * 60_000,
    progress: (line) => out(`${line}\n`),
    taskDefinition: args.taskDefinition,
  });
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv[0] !== 'deploy') exitOnConfigError(() => run(argv, (text) => process.stdout.write(text)));
  else {
    // As npm run ops: the SDK's notice about its releases after January 2027 would take five lines of stderr.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    runDeploy(argv, (text) => process.stdout.write(text)).then(
      () => process.exit(0),
      (error) => {
        const line = describeFailure(error);
        if (line === undefined) throw error;
        process.stderr.write(`error: ${line}\n`);
        process.exit(error instanceof DeploymentFailed ? 1 : 2);
      },
    );
  }
}
