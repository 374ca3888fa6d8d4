/**
 * The release path of every service built from source, on environments of its own (not the demo's):
 * `npm run release -- services` lists what deploy.yml builds, and HOST_NAME_IMAGES puts each built
 * digest into the service it was built for.
 */
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { addEnvironmentStacks } from '../src/app';
import { EnvironmentSettings, RoutingSettings, ServiceSettings } from '../src/environment/config';
import { ConfigError } from '../src/environment/resolve';
import { overridesFromEnv, selectEnvironments } from '../src/environment/select';
import { imageTag } from '../src/services/container-image';
import { REPOSITORY_ROOT } from '../src/services/resolve';
import { sourceHash } from '../src/services/source-hash';
import { releaseImage, releaseServices, run, USAGE } from '../tools/release/cli';
import { resourcesOf } from './support/synth';

const FIXTURES = '__tests__/fixtures/release';
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const PARTNER_IMAGE = `${REGISTRY}/partner:2.0.0`;
const ORDERS_DIGEST = `${REGISTRY}/host-name/orders@sha256:${'b'.repeat(64)}`;
const WEB_DIGEST = `${REGISTRY}/host-name/web@sha256:${'c'.repeat(64)}`;

/** A small service, so that any mix of them fits a t2.micro. */
function service(image: ServiceSettings['image'], routing: RoutingSettings): ServiceSettings {
  return { image, routing, container: { cpu: 128, memoryMiB: 128 }, scaling: { minTasks: 1, maxTasks: 1 } };
}

const WEB = service({ directory: `${FIXTURES}/web` }, { default: true });
const ORDERS = service({ directory: `${FIXTURES}/orders` }, { pathPatterns: ['/orders*'] });
const PARTNER = service({ uri: PARTNER_IMAGE }, { pathPatterns: ['/partner*'] });

/** Two environments: both build web and orders; only staging runs partner, an image built elsewhere. */
const FIXTURE: Readonly<Record<string, EnvironmentSettings>> = {
  staging: { vpcCidr: '10.40.0.0/16', services: { web: WEB, orders: ORDERS, partner: PARTNER } },
  live: { vpcCidr: '10.41.0.0/16', services: { web: WEB, orders: ORDERS } },
};

const fixture = (images?: Record<string, unknown>) => selectEnvironments([], { images }, FIXTURE);
const imageOf = (configs: ReturnType<typeof fixture>, environment: string, name: string) =>
  configs.find((c) => c.name === environment)!.services.find((s) => s.name === name)!.image;

/** The message of what `run` throws, and that it is one ConfigError line. */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('npm run release -- services', () => {
  test('lists every service built from a directory once, across the environments, by name; not one given by URI', () => {
    const built = (name: string) => ({
      service: name,
      directory: `${FIXTURES}/${name}`,
      dockerfile: `${FIXTURES}/${name}/Dockerfile`,
      platform: 'linux/amd64',
      tag: imageTag(sourceHash(join(REPOSITORY_ROOT, FIXTURES, name)), 'linux/amd64'),
      repository: `host-name/${name}`,
    });
    expect(releaseServices(fixture())).toEqual([built('orders'), built('web')]);
  });

  test('a service built only in some environments is listed too; no built service, an empty list', () => {
    const canary = { ...FIXTURE, live: { ...FIXTURE.live, services: { web: WEB } } };
    expect(releaseServices(selectEnvironments([], {}, canary)).map((s) => s.service)).toEqual(['orders', 'web']);
    const byUri = { live: { services: { partner: { ...PARTNER, routing: { default: true } } } } };
    expect(releaseServices(selectEnvironments([], {}, byUri))).toEqual([]);
  });

  test('each entry is what `release -- image <service>` says, plus the service and its Dockerfile', () => {
    for (const { service, dockerfile, ...image } of releaseServices(fixture())) {
      expect(image).toEqual(releaseImage(service, fixture()));
      expect(dockerfile).toBe(`${image.directory}/Dockerfile`);
    }
  });

  test('refuses a service whose environments would need two builds (another architecture)', () => {
    const graviton = { ...FIXTURE, live: { ...FIXTURE.live, instanceType: 't4g.small' } };
    expect(refusal(() => releaseServices(selectEnvironments([], {}, graviton)))).toBe(
      'environment "release": service = "orders" is not allowed; expected one build for every environment (same directory and architecture); they differ: staging linux/amd64, live linux/arm64',
    );
  });

  test("prints one line of JSON, a GitHub Actions matrix's include list, of the deployed environments' built services", () => {
    const lines: string[] = [];
    run(['services'], (t) => lines.push(t));
    expect(lines.join('')).toMatch(/^\[.*\]\n$/);
    expect(lines.join('').split('\n')).toHaveLength(2);
    const listed = JSON.parse(lines.join(''));
    expect(listed).toEqual(releaseServices());
    for (const entry of listed) {
      expect(Object.keys(entry)).toEqual(['service', 'directory', 'dockerfile', 'platform', 'tag', 'repository']);
      expect(entry.tag).toMatch(/^src-[0-9a-f]{20}-(amd64|arm64)$/);
    }
  });

  test('bad arguments: the usage, in one line', () => {
    expect(refusal(() => run(['services', 'web'], () => {}))).toBe(
      `environment "release": arguments = "services web" is not allowed; expected ${USAGE.replace('usage: ', '')}`,
    );
  });
});

describe('HOST_NAME_IMAGES: service name -> image URI', () => {
  test("replaces exactly the named services' images, in every environment that runs them", () => {
    const configs = selectEnvironments([], overridesFromEnv({ HOST_NAME_IMAGES: JSON.stringify({ orders: ORDERS_DIGEST }) }), FIXTURE);
    for (const environment of ['staging', 'live']) {
      expect(imageOf(configs, environment, 'orders')).toEqual({ kind: 'uri', uri: ORDERS_DIGEST });
      expect(imageOf(configs, environment, 'web')).toEqual(imageOf(fixture(), environment, 'web'));
      expect(imageOf(configs, environment, 'web').kind).toBe('build');
    }
    expect(imageOf(configs, 'staging', 'partner')).toEqual({ kind: 'uri', uri: PARTNER_IMAGE });
  });

  test('an environment without a service of the map ignores its entry', () => {
    const configs = fixture({ partner: `${REGISTRY}/partner@sha256:${'d'.repeat(64)}` });
    expect(imageOf(configs, 'staging', 'partner')).toEqual({ kind: 'uri', uri: `${REGISTRY}/partner@sha256:${'d'.repeat(64)}` });
    expect(configs.find((c) => c.name === 'live')!.services.map((s) => s.name)).toEqual(['orders', 'web']);
  });

  test("each service's task runs its own digest; with every built service in the map the stack has no docker resource", () => {
    const [staging] = selectEnvironments(['staging'], { images: { web: WEB_DIGEST, orders: ORDERS_DIGEST } }, FIXTURE);
    const json = JSON.parse(Testing.synth(addEnvironmentStacks(Testing.app(), [staging])[0]));
    const images = Object.values(resourcesOf(json, 'aws_ecs_task_definition')).map((t) => [
      t.family,
      JSON.parse(t.container_definitions)[0].image,
    ]);
    expect(Object.fromEntries(images)).toEqual({
      'host-name-staging-orders': ORDERS_DIGEST,
      'host-name-staging-partner': PARTNER_IMAGE,
      'host-name-staging-web': WEB_DIGEST,
    });
    expect(JSON.stringify(json)).not.toMatch(/"docker_|"docker"/);
  });

  test.each([
    [
      'an unknown service',
      { HOST_NAME_IMAGES: JSON.stringify({ payments: ORDERS_DIGEST }) },
      `HOST_NAME_IMAGES["payments"] = "${ORDERS_DIGEST}" is not allowed; expected a key naming a service of an environment: one of orders, partner, web`,
    ],
    [
      'a URI without a tag or digest',
      { HOST_NAME_IMAGES: JSON.stringify({ web: WEB_DIGEST, orders: `${REGISTRY}/host-name/orders` }) },
      `HOST_NAME_IMAGES["orders"] = "${REGISTRY}/host-name/orders" is not allowed; expected [registry/]repository:tag or [registry/]repository@sha256:<digest>, e.g. nginx:1.27 or ghcr.io/org/app:1`,
    ],
    [
      'a value that is no string',
      { HOST_NAME_IMAGES: '{"web":["a"]}' },
      'HOST_NAME_IMAGES["web"] = ["a"] is not allowed; expected [registry/]repository:tag or [registry/]repository@sha256:<digest>, e.g. nginx:1.27 or ghcr.io/org/app:1',
    ],
    [
      'malformed JSON',
      { HOST_NAME_IMAGES: "{'web': 'x'}" },
      `HOST_NAME_IMAGES = "{'web': 'x'}" is not allowed; expected a JSON object of service name to image URI, e.g. {"host-name":"<registry>/<repository>@sha256:<digest>"}`,
    ],
    [
      'a JSON list',
      { HOST_NAME_IMAGES: `["${WEB_DIGEST}"]` },
      `HOST_NAME_IMAGES = "[\\"${WEB_DIGEST}\\"]" is not allowed; expected a JSON object of service name to image URI, e.g. {"host-name":"<registry>/<repository>@sha256:<digest>"}`,
    ],
  ])('refuses %s with one line naming the variable and the key', (_, env, message) => {
    expect(refusal(() => selectEnvironments(['live'], overridesFromEnv(env), FIXTURE))).toBe(message);
  });

  test('an empty map changes nothing', () => {
    expect(selectEnvironments([], overridesFromEnv({ HOST_NAME_IMAGES: '{}' }), FIXTURE)).toEqual(fixture());
  });
});
