/** Build once, promote by digest: the registry stack owns every repository, the release CLI, and what an environment forgets of older code. */
import { Testing } from 'cdktf';
import { addEnvironmentStacks, addRegistryStack, registryEnvironments } from '../src/app';
import { EnvironmentConfig } from '../src/environment/config';
import { imageTag } from '../src/services/container-image';
import { ENVIRONMENTS } from '../src/environments';
import { HOST_NAME_SERVICE, withImage } from '../src/environment/select';
import { registryRepositoryName } from '../src/bootstrap/registry-stack';
import { REGISTRY_STACK_NAME } from '../src/shared/names';
import { sourceHash } from '../src/services/source-hash';
import { WORKLOAD_DIR } from '../src/environment/environment-stack';
import { releaseImage, releaseServices, run } from '../tools/release/cli';
import { DEMO_ENVIRONMENTS, demoConfig, demoConfigs } from './support/fixtures';
import { resourcesOf, SynthJson } from './support/synth';

const DIGEST_URI = `123456789012.dkr.ecr.us-east-1.amazonaws.com/host-name/host-name@sha256:${'a'.repeat(64)}`;

// What holds for any environments: the demo's, which build an image, and the registry main.ts makes of src/environments.ts.
describe.each([
  ['the demo', demoConfigs()],
  ['src/environments.ts', registryEnvironments()],
] as const)('host-name-registry of %s', (_, configs: readonly EnvironmentConfig[]) => {
  const stack = addRegistryStack(Testing.app(), configs);
  const json: SynthJson = JSON.parse(Testing.synth(stack));
  const repositories = Object.entries(resourcesOf(json, 'aws_ecr_repository'));
  const built = configs.flatMap((c) =>
    c.services.flatMap((s) => (s.image.kind === 'build' ? [{ config: c, service: s, name: s.image.repositoryName }] : [])),
  );

  test("a pipeline repository per built service and the laptop path's repository of every environment and built service: immutable, scanned, encrypted", () => {
    expect(stack.node.id).toBe(REGISTRY_STACK_NAME);
    const names = repositories.map(([, r]) => r.name).sort();
    const expected = [...new Set([...built.map((b) => registryRepositoryName(b.service.name)), ...built.map((b) => b.name)])].sort();
    expect(names).toEqual(expected);
    for (const [, r] of repositories) {
      expect(r).toEqual(
        expect.objectContaining({
          image_tag_mutability: 'IMMUTABLE',
          image_scanning_configuration: { scan_on_push: true },
          encryption_configuration: [{ encryption_type: 'KMS' }],
        }),
      );
    }
    expect(Object.keys(json.output!.repositories.value)).toEqual([...new Set(built.map((b) => b.service.name))].sort());
  });

  test("pipeline repositories are never destroyed by a plan; an environment's only when its images are throwaway (image.forceDelete)", () => {
    for (const [, r] of repositories) {
      const laptop = built.find((b) => b.name === r.name && b.name !== registryRepositoryName(b.service.name));
      const forceDelete = laptop?.config.image.forceDelete ?? false;
      expect({ name: r.name, force_delete: r.force_delete, lifecycle: r.lifecycle }).toEqual({
        name: r.name,
        force_delete: forceDelete,
        lifecycle: { prevent_destroy: !forceDelete },
      });
    }
  });

  test('every repository is imported when it already exists (created by an environment stack of older code), by its literal name', () => {
    const imports = ((json as any).import ?? []) as { for_each: string; to: string; id: string }[];
    expect(imports.map((i) => i.to).sort()).toEqual(repositories.map(([id]) => `aws_ecr_repository.${id}`).sort());
    for (const [id, r] of repositories) {
      expect(imports.find((i) => i.to === `aws_ecr_repository.${id}`)).toEqual({
        for_each: `\${setintersection(["${r.name}"], tolist(data.aws_ecr_repositories.existing.names))}`,
        to: `aws_ecr_repository.${id}`,
        id: '${each.key}',
      });
    }
    if (repositories.length > 0) expect(Object.keys(json.data!.aws_ecr_repositories)).toEqual(['existing']);
  });

  test('lifecycle: every repository expires only untagged images, by age (the smallest image.untaggedImageDays)', () => {
    const days = Math.min(...configs.map((c) => c.image.untaggedImageDays));
    const policies = Object.values(resourcesOf(json, 'aws_ecr_lifecycle_policy'));
    expect(policies).toHaveLength(repositories.length);
    for (const p of policies) {
      expect(JSON.parse(p.policy).rules).toEqual([
        expect.objectContaining({
          selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: days },
          action: { type: 'expire' },
        }),
      ]);
    }
  });
});

describe('host-name-registry, what it is given', () => {
  test('two environments sharing a repository name get one resource', () => {
    const shared = ['dev', 'prod'].map((name) =>
      demoConfig(name, {
        services: {
          'host-name': { ...DEMO_ENVIRONMENTS[name].services!['host-name'], image: { directory: 'workload', repositoryName: 'shared' } },
        },
      }),
    );
    const names = Object.values(resourcesOf(JSON.parse(Testing.synth(addRegistryStack(Testing.app(), shared))), 'aws_ecr_repository')).map(
      (r) => r.name,
    );
    expect(names.sort()).toEqual(['host-name/host-name', 'shared']);
  });

  test('main.ts serves every known environment, not only the default ones: one named on the command line finds its repository', () => {
    expect(registryEnvironments().map((c) => c.name)).toEqual(Object.keys(ENVIRONMENTS));
  });

  test('given the overridden environments it would drop the repositories (why main.ts passes them without)', () => {
    const overridden = demoConfigs(undefined, { images: { [HOST_NAME_SERVICE]: DIGEST_URI } });
    const registry = JSON.parse(Testing.synth(addRegistryStack(Testing.app(), overridden)));
    expect(Object.keys(resourcesOf(registry, 'aws_ecr_repository'))).toEqual([]);
  });
});

describe('environment stacks own no repository, on either path, and forget the one older code created', () => {
  const synth = (services = DEMO_ENVIRONMENTS.dev.services!) =>
    JSON.parse(Testing.synth(addEnvironmentStacks(Testing.app(), [demoConfig('dev', { services })])[0]));
  const built = synth();
  const fromUri = synth(withImage(DEMO_ENVIRONMENTS.dev.services!, HOST_NAME_SERVICE, DIGEST_URI));
  const repositoryRemovals = (json: any) =>
    (json.removed as { from: string; lifecycle: unknown }[]).filter((r) => /^aws_ecr_/.test(r.from));

  test('no aws_ecr_repository or lifecycle policy in either; the build path looks its repository up by name', () => {
    for (const json of [built, fromUri]) {
      expect(resourcesOf(json, 'aws_ecr_repository')).toEqual({});
      expect(resourcesOf(json, 'aws_ecr_lifecycle_policy')).toEqual({});
    }
    const hostName = demoConfig('dev').services.find((s) => s.name === HOST_NAME_SERVICE)!.image;
    expect(Object.values(built.data.aws_ecr_repository)).toEqual([{ name: hostName.kind === 'build' ? hostName.repositoryName : '' }]);
  });

  test("both paths forget (destroy = false) the same repository and lifecycle policy addresses, the single-service layout's too", () => {
    expect(repositoryRemovals(built)).toEqual(repositoryRemovals(fromUri));
    const from = repositoryRemovals(built).map((r) => r.from);
    expect(from).toEqual([
      expect.stringMatching(/^aws_ecr_repository\.image_repository_[0-9A-F]{8}$/),
      expect.stringMatching(/^aws_ecr_lifecycle_policy\.image_lifecycle_[0-9A-F]{8}$/),
      `aws_ecr_repository.${Object.keys(built.data.aws_ecr_repository)[0]}`,
      expect.stringMatching(/^aws_ecr_lifecycle_policy\.image-host-name_lifecycle_[0-9A-F]{8}$/),
    ]);
    expect(repositoryRemovals(built).every((r) => JSON.stringify(r.lifecycle) === '{"destroy":false}')).toBe(true);
  });

  test('no docker provider or docker resource: what every CI plan holds', () => {
    expect(JSON.stringify(fromUri)).not.toMatch(/"docker_|"docker"/);
  });
});

describe('npm run release -- image <service>', () => {
  test('the build context, platform, tag and repository of the one image the demo runs', () => {
    expect(releaseImage('host-name', demoConfigs())).toEqual({
      directory: 'workload',
      platform: 'linux/amd64',
      tag: imageTag(sourceHash(WORKLOAD_DIR), 'linux/amd64'),
      repository: 'host-name/host-name',
    });
  });

  test("prints each of the deployed environments' built services as key=value lines", () => {
    for (const { service } of releaseServices()) {
      const lines: string[] = [];
      run(['image', service], (t) => lines.push(t));
      expect(lines.join('')).toBe(
        Object.entries(releaseImage(service))
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
      );
      expect(lines.join('')).toMatch(
        /^directory=.+\nplatform=linux\/(amd64|arm64)\ntag=src-[0-9a-f]{20}-(amd64|arm64)\nrepository=host-name\/.+\n$/,
      );
    }
  });

  test('bad input: exact messages', () => {
    const built = releaseServices().map((s) => s.service);
    expect(() => run(['image', 'nope'], () => {})).toThrow(
      `environment "release": service = "nope" is not allowed; expected a service built from a directory: one of ${built.join(', ')}`,
    );
    expect(() => run(['images'], () => {})).toThrow(
      'environment "release": arguments = "images" is not allowed; expected npm run --silent release -- services | image <service>',
    );
    const graviton = [demoConfig('dev'), demoConfig('prod', { instanceType: 't4g.small' })];
    expect(() => releaseImage('host-name', graviton)).toThrow(
      'environment "release": service = "host-name" is not allowed; expected one build for every environment (same directory and architecture); they differ: dev linux/amd64, prod linux/arm64',
    );
  });
});
