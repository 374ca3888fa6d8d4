import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformOutput } from 'cdktf';
import { Image } from '@cdktf/provider-docker/lib/image';
import { RegistryImage } from '@cdktf/provider-docker/lib/registry-image';
import { ContainerImage, ContainerImageProps } from '../src/services/container-image';
import { WORKLOAD_DIR } from '../src/environment/environment-stack';
import { sourceHash } from '../src/services/source-hash';
import { TEST_IMAGE } from './support/fixtures';
import { onlyResource, resourcesOf, synthJson } from './support/synth';

/** A throwaway copy of workload/, so tests can edit it. */
function copyOfWorkload(): string {
  const dir = mkdtempSync(join(tmpdir(), 'workload-'));
  cpSync(WORKLOAD_DIR, dir, { recursive: true, filter: (src) => !src.includes(`${WORKLOAD_DIR}/target`) });
  return dir;
}

function synthImage(props: Partial<ContainerImageProps> = {}) {
  return synthJson(
    (scope) =>
      new ContainerImage(scope, 'image', {
        repositoryName: 'hn-test',
        source: { kind: 'build', directory: WORKLOAD_DIR, platform: 'linux/amd64' },
        ...props,
      }),
  );
}

describe('ContainerImage built from workload/', () => {
  const { text, json } = synthImage();
  const hash = sourceHash(WORKLOAD_DIR);

  test('looks the repository up by name and owns none: the registry stack does', () => {
    expect(json.data?.aws_ecr_repository).toEqual({ [Object.keys(json.data!.aws_ecr_repository)[0]]: { name: 'hn-test' } });
    expect(resourcesOf(json, 'aws_ecr_repository')).toEqual({});
    expect(resourcesOf(json, 'aws_ecr_lifecycle_policy')).toEqual({});
  });

  test('docker_image builds the absolute context for the instance platform, tagged with the source hash and the architecture', () => {
    expect(text).toHaveResourceWithProperties(Image, {
      name: expect.stringMatching(
        new RegExp(`data\\.aws_ecr_repository\\.image_repository_\\w+\\.repository_url\\}:src-${hash.slice(0, 20)}-amd64$`),
      ),
      build: { context: WORKLOAD_DIR, dockerfile: 'Dockerfile', platform: 'linux/amd64' },
      triggers: { source_hash: hash, platform: 'linux/amd64' },
    });
    expect(WORKLOAD_DIR.startsWith('/')).toBe(true);
  });

  test('docker_registry_image pushes it and keeps it remotely, rebuilt on the same trigger', () => {
    expect(text).toHaveResourceWithProperties(RegistryImage, {
      name: expect.stringMatching(/^\$\{docker_image\.image_\w+\.name\}$/),
      keep_remotely: true,
      triggers: { source_hash: hash, platform: 'linux/amd64' },
    });
  });

  test('Graviton: another tag and another trigger, so the arm64 build never reuses the amd64 digest', () => {
    const arm = onlyResource(
      synthImage({ source: { kind: 'build', directory: WORKLOAD_DIR, platform: 'linux/arm64' } }).json,
      'docker_image',
    );
    expect(arm.name).toMatch(new RegExp(`:src-${hash.slice(0, 20)}-arm64$`));
    expect(arm.triggers).toEqual({ source_hash: hash, platform: 'linux/arm64' });
  });

  test('the docker provider logs in to the registry host, not the repository URL', () => {
    const [docker] = (json.provider as any).docker;
    const auth = docker.registry_auth[0];
    expect(auth.address).toMatch(
      /^\$\{replace\(data\.aws_ecr_authorization_token\.image_ecr-token_\w+\.proxy_endpoint, "https:\/\/", ""\)\}$/,
    );
    expect(auth.username).toContain('.user_name}');
    expect(auth.password).toContain('.password}');
  });

  test('the task references the pushed image by digest', () => {
    const { json: out } = synthJson((scope) => {
      const image = new ContainerImage(scope, 'image', {
        repositoryName: 'hn-test',
        source: { kind: 'build', directory: WORKLOAD_DIR, platform: 'linux/arm64' },
      });
      new TerraformOutput(scope, 'uri', { value: image.imageUri });
    });
    expect(out.output!.uri.value).toMatch(
      /^\$\{data\.aws_ecr_repository\.image_repository_\w+\.repository_url\}@\$\{docker_registry_image\.image_push_\w+\.sha256_digest\}$/,
    );
  });
});

describe('ContainerImage from an existing URI', () => {
  test('no docker provider, no ECR repository, the URI as given', () => {
    let uri = '';
    const { json } = synthJson((scope) => {
      uri = new ContainerImage(scope, 'image', { repositoryName: 'hn-test', source: { kind: 'uri', uri: TEST_IMAGE } }).imageUri;
    });
    expect(uri).toBe(TEST_IMAGE);
    expect(json.provider?.docker).toBeUndefined();
    expect(resourcesOf(json, 'aws_ecr_repository')).toEqual({});
    expect(resourcesOf(json, 'docker_image')).toEqual({});
  });

  test('names the addresses older code created the repository and its policy at, for removed blocks, on either path', () => {
    const former = (source: ContainerImageProps['source']) => {
      let addresses: readonly string[] = [];
      synthJson((scope) => {
        addresses = new ContainerImage(scope, 'image', { repositoryName: 'hn-test', source }).formerBuildResources;
      });
      return addresses;
    };
    // The data source sits where the repository did: the same logical id.
    const id = Object.keys(synthImage().json.data!.aws_ecr_repository)[0];
    expect(former({ kind: 'uri', uri: TEST_IMAGE })).toEqual([
      `aws_ecr_repository.${id}`,
      expect.stringMatching(/^aws_ecr_lifecycle_policy\.image_lifecycle_[0-9A-F]{8}$/),
    ]);
    expect(former({ kind: 'build', directory: WORKLOAD_DIR, platform: 'linux/amd64' })).toEqual(former({ kind: 'uri', uri: TEST_IMAGE }));
  });
});

describe('source hash', () => {
  let dir: string;
  beforeEach(() => {
    dir = copyOfWorkload();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('is stable for an unchanged tree', () => {
    expect(sourceHash(dir)).toBe(sourceHash(dir));
    expect(sourceHash(dir)).toBe(sourceHash(WORKLOAD_DIR));
  });

  test('changes when a source file changes', () => {
    const before = sourceHash(dir);
    appendFileSync(join(dir, 'pom.xml'), '\n<!-- edit -->\n');
    expect(sourceHash(dir)).not.toBe(before);
  });

  test('changes when a source file is added', () => {
    const before = sourceHash(dir);
    mkdirSync(join(dir, 'src', 'main', 'resources'), { recursive: true });
    writeFileSync(join(dir, 'src', 'main', 'resources', 'extra.txt'), 'x');
    expect(sourceHash(dir)).not.toBe(before);
  });

  test('honours .dockerignore: files docker never sends do not count, the Dockerfile always does', () => {
    const before = sourceHash(dir);
    appendFileSync(join(dir, 'README.md'), '\nedit\n');
    appendFileSync(join(dir, 'test-image.sh'), '\n# edit\n');
    mkdirSync(join(dir, 'src', 'logs'), { recursive: true });
    writeFileSync(join(dir, 'src', 'logs', 'run.log'), 'x');
    expect(sourceHash(dir)).toBe(before);
    appendFileSync(join(dir, 'Dockerfile'), '\n# edit\n');
    expect(sourceHash(dir)).not.toBe(before);
  });

  test('a `!` line re-includes what an earlier line excluded', () => {
    const before = sourceHash(dir);
    appendFileSync(join(dir, '.dockerignore'), '\n!README.md\n');
    const withReadme = sourceHash(dir);
    expect(withReadme).not.toBe(before);
    appendFileSync(join(dir, 'README.md'), '\nedit\n');
    expect(sourceHash(dir)).not.toBe(withReadme);
  });

  test('ignores target/, IDE files and editor droppings', () => {
    const before = sourceHash(dir);
    mkdirSync(join(dir, 'target', 'classes'), { recursive: true });
    writeFileSync(join(dir, 'target', 'classes', 'App.class'), 'bytes');
    mkdirSync(join(dir, '.idea'), { recursive: true });
    writeFileSync(join(dir, '.idea', 'workspace.xml'), '<x/>');
    writeFileSync(join(dir, 'workload.iml'), '<x/>');
    writeFileSync(join(dir, '.DS_Store'), 'x');
    expect(sourceHash(dir)).toBe(before);
  });
});
