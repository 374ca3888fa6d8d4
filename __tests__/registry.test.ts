/** Build once, promote by digest: the registry stack, the release CLI, and what an environment forgets when it switches to a URI. */
import { Testing } from 'cdktf';
import { addEnvironmentStacks, addRegistryStack } from '../constructs/app';
import { resolveEnvironment } from '../constructs/config-validation';
import { imageTag } from '../constructs/container-image';
import { DEFAULT_ENVIRONMENTS, ENVIRONMENTS, HOST_NAME_SERVICE, selectEnvironments, withImage } from '../constructs/environments';
import { REGISTRY_STACK_NAME } from '../constructs/registry-stack';
import { sourceHash } from '../constructs/source-hash';
import { WORKLOAD_DIR } from '../constructs/host-name-stack';
import { releaseImage, run } from '../tools/release/cli';
import { resourcesOf, SynthJson } from './support/synth';

const DIGEST_URI = `123456789012.dkr.ecr.us-east-1.amazonaws.com/host-name/host-name@sha256:${'a'.repeat(64)}`;

describe('host-name-registry', () => {
  const stack = addRegistryStack(Testing.app(), selectEnvironments(DEFAULT_ENVIRONMENTS));
  const json: SynthJson = JSON.parse(Testing.synth(stack));

  test('one immutable, scanned, encrypted repository per built service, never destroyed by a plan', () => {
    expect(stack.node.id).toBe(REGISTRY_STACK_NAME);
    expect(Object.values(resourcesOf(json, 'aws_ecr_repository'))).toEqual([
      expect.objectContaining({
        name: 'host-name/host-name',
        image_tag_mutability: 'IMMUTABLE',
        image_scanning_configuration: { scan_on_push: true },
        encryption_configuration: [{ encryption_type: 'KMS' }],
        force_delete: false,
        lifecycle: { prevent_destroy: true },
      }),
    ]);
    expect(Object.keys(json.output!.repositories.value)).toEqual(['host-name']);
  });

  test('given the overridden environments it would drop the repository (why main.ts passes them without)', () => {
    const overridden = selectEnvironments(DEFAULT_ENVIRONMENTS, { imageUri: DIGEST_URI });
    const registry = JSON.parse(Testing.synth(addRegistryStack(Testing.app(), overridden)));
    expect(Object.keys(resourcesOf(registry, 'aws_ecr_repository'))).toEqual([]);
    // Hence main.ts gives the registry the environments as configured, without overrides.
  });
});

describe('an environment deployed with a URI forgets the repository it built into, never deletes it', () => {
  const synth = (services = ENVIRONMENTS.dev.services!) =>
    JSON.parse(Testing.synth(addEnvironmentStacks(Testing.app(), [resolveEnvironment('dev', { ...ENVIRONMENTS.dev, services })])[0]));
  const built = synth();
  const fromUri = synth(withImage(ENVIRONMENTS.dev.services!, HOST_NAME_SERVICE, DIGEST_URI));

  test('removed blocks with destroy = false for exactly the build path repository and lifecycle policy', () => {
    const addresses = ['aws_ecr_repository', 'aws_ecr_lifecycle_policy'].map((type) => `${type}.${Object.keys(resourcesOf(built, type))[0]}`);
    const ecr = (json: any) => (json.removed ?? []).filter((r: { from: string }) => /^aws_ecr_/.test(r.from));
    expect(ecr(fromUri)).toEqual(addresses.map((from) => ({ from, lifecycle: { destroy: false } })));
    expect(resourcesOf(fromUri, 'aws_ecr_repository')).toEqual({});
    expect(ecr(built)).toEqual([]);
  });

  test('no docker provider or docker resource: what every CI plan holds', () => {
    expect(JSON.stringify(fromUri)).not.toMatch(/"docker_|"docker"/);
  });
});

describe('npm run release -- image <service>', () => {
  test('the build context, platform, tag and repository of the one image dev and prod run', () => {
    expect(releaseImage('host-name')).toEqual({
      directory: 'workload',
      platform: 'linux/amd64',
      tag: imageTag(sourceHash(WORKLOAD_DIR), 'linux/amd64'),
      repository: 'host-name/host-name',
    });
    const lines: string[] = [];
    run(['image', 'host-name'], (t) => lines.push(t));
    expect(lines.join('')).toMatch(/^directory=workload\nplatform=linux\/amd64\ntag=src-[0-9a-f]{20}-amd64\nrepository=host-name\/host-name\n$/);
  });

  test('bad input: exact messages', () => {
    expect(() => run(['image', 'nope'], () => {})).toThrow('environment "release": service = "nope" is not allowed; expected a service built from a directory: one of host-name');
    expect(() => run(['images'], () => {})).toThrow('environment "release": arguments = "images" is not allowed; expected npm run --silent release -- image <service>');
    const graviton = [resolveEnvironment('dev', ENVIRONMENTS.dev), resolveEnvironment('prod', { ...ENVIRONMENTS.prod, instanceType: 't4g.small' })];
    expect(() => releaseImage('host-name', graviton)).toThrow(
      'environment "release": service = "host-name" is not allowed; expected one build for every environment (same directory and architecture); they differ: dev linux/amd64, prod linux/arm64',
    );
  });
});
