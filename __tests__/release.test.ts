/**
 * The release path of every service built from source, on environments of its own (not the demo's):
 * `npm run release -- services` lists what deploy.yml builds.
 */
import { join } from 'node:path';
import { EnvironmentSettings, RoutingSettings, ServiceSettings } from '../src/environment/config';
import { ConfigError } from '../src/environment/resolve';
import { selectEnvironments } from '../src/environment/select';
import { imageTag } from '../src/services/container-image';
import { REPOSITORY_ROOT } from '../src/services/resolve';
import { sourceHash } from '../src/services/source-hash';
import { releaseImage, releaseServices, run } from '../tools/release/cli';

const FIXTURES = '__tests__/fixtures/release';
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const PARTNER_IMAGE = `${REGISTRY}/partner:2.0.0`;

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

const fixture = () => selectEnvironments([], {}, FIXTURE);

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
      'environment "release": arguments = "services web" is not allowed; expected npm run --silent release -- services | image <service>',
    );
  });
});
