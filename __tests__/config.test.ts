import { formatCidr, overlaps, parseCidr, subnet } from '../src/shared/cidr';
import { resolveEnvironment } from '../src/environment/resolve';
import { DEFAULT_ENVIRONMENTS, ENVIRONMENTS } from '../src/environments';
import { overridesFromEnv, requestedEnvironments, selectEnvironments } from '../src/environment/select';
import { INSTANCE_TYPES, tasksPerInstance } from '../src/compute/instance-types';
import { WORKLOAD_DIR } from '../src/environment/environment-stack';
import { HEALTHCHECK_COMMAND, jvmOptions } from '../src/services/runtime-profiles';
import { derivedPriority } from '../src/services/resolve';
import { DEMO_ENVIRONMENTS, demoConfigs, TEST_CERT, testConfig, UNKNOWN_ENVIRONMENT } from './support/fixtures';

describe('cidr', () => {
  test('parses network CIDRs and rejects host bits, bad octets and prefixes', () => {
    expect(parseCidr('10.0.0.0/16')).toEqual({ network: 0x0a000000, prefix: 16 });
    expect(parseCidr('10.0.0.1/16')).toBeUndefined();
    expect(parseCidr('10.0.256.0/24')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0/16')).toBeUndefined();
  });

  test('subnet() matches Terraform cidrsubnet()', () => {
    const vpc = parseCidr('10.0.0.0/16')!;
    expect(formatCidr(subnet(vpc, 4, 0))).toBe('10.0.0.0/20');
    expect(formatCidr(subnet(vpc, 4, 9))).toBe('10.0.144.0/20');
    expect(formatCidr(subnet(parseCidr('172.16.0.0/12')!, 8, 255))).toBe('172.31.240.0/20');
  });

  test('overlaps() is symmetric and exact at the edges', () => {
    const a = parseCidr('10.0.0.0/20')!;
    expect(overlaps(a, parseCidr('10.0.15.0/24')!)).toBe(true);
    expect(overlaps(parseCidr('10.0.15.0/24')!, a)).toBe(true);
    expect(overlaps(a, parseCidr('10.0.16.0/24')!)).toBe(false);
  });
});

describe('the environments of src/environments.ts, whatever a team put there', () => {
  test('every one resolves, and the defaults are among them', () => {
    const names = Object.keys(ENVIRONMENTS);
    expect(selectEnvironments(names).map((c) => c.name)).toEqual(names);
    expect(DEFAULT_ENVIRONMENTS.filter((n) => !names.includes(n))).toEqual([]);
    // The tests' unknown name must stay unknown.
    expect(names).not.toContain(UNKNOWN_ENVIRONMENT);
  });

  test('nothing named means DEFAULT_ENVIRONMENTS; a name given twice is one environment', () => {
    expect(selectEnvironments([]).map((c) => c.name)).toEqual([...new Set(DEFAULT_ENVIRONMENTS)]);
    const [first] = Object.keys(ENVIRONMENTS);
    expect(selectEnvironments([first, first]).map((c) => c.name)).toEqual([first]);
  });
});

describe('environment config', () => {
  const [dev, prod] = demoConfigs();

  test('the demo: dev and prod resolve', () => {
    expect(dev.name).toBe('dev');
    expect(prod.name).toBe('prod');
  });

  test('dev: a NAT instance, t2.micro, 1..2 instances in working hours only, no flow logs, HTTP only', () => {
    expect(dev).toMatchObject({
      namePrefix: 'host-name-dev',
      region: 'us-east-1',
      natMode: 'instance',
      natInstance: { instanceType: 't4g.nano' },
      containerInsights: false,
      detailedMonitoring: false,
      schedule: { enabled: true, timeZone: 'UTC', days: 'MON-FRI', start: '07:00', stop: '19:00' },
      flowLogs: false,
      instanceType: 't2.micro',
      capacity: { min: 1, max: 2 },
      loadBalancer: { deletionProtection: false, accessLogs: false },
      image: { forceDelete: true },
    });
    expect(dev.services.map((s) => s.name)).toEqual(['host-name']);
    expect(dev.services[0]).toMatchObject({
      profile: 'spring-boot',
      image: { kind: 'build', directory: WORKLOAD_DIR, repositoryName: 'host-name-dev' },
      routing: { default: true, pathPatterns: [], urlPath: '/host-name' },
      targetGroup: { healthCheckPath: '/actuator/health/readiness' },
      scaling: { requestsPerTarget: 50, desiredCount: 1 },
      container: { memoryReservationMiB: 224, healthCheck: { command: ['CMD', '/usr/local/bin/healthcheck'] } },
    });
    expect(dev.loadBalancer.certificateArn).toBeUndefined();
    expect(dev).toMatchObject({ production: false, allowPlainHttp: true, waf: { enabled: false } });
    expect(dev.domain).toBeUndefined();
  });

  test('prod: production, HTTPS for a placeholder domain, WAF with logging; nobody reaches /actuator from outside', () => {
    expect(prod).toMatchObject({
      production: true,
      allowPlainHttp: false,
      domain: { zoneName: 'example.com', recordName: 'host-name.example.com' },
      waf: { enabled: true, rateLimit: 2000, logging: true },
      loadBalancer: { blockedPaths: ['/actuator*'] },
    });
  });

  test('the HTTPS settings default to off, and allowPlainHttp makes a production environment without HTTPS valid', () => {
    const plain = testConfig({ production: true, allowPlainHttp: true });
    expect(plain).toMatchObject({ production: true, allowPlainHttp: true, waf: { enabled: false, rateLimit: 2000, logging: false } });
    expect(testConfig()).toMatchObject({ production: false, allowPlainHttp: false, loadBalancer: { blockedPaths: ['/actuator*'] } });
    expect(testConfig({ loadBalancer: { blockedPaths: [] } }).loadBalancer.blockedPaths).toEqual([]);
  });

  test('a domain by zone id keeps the id; a domain next to a certificate ARN keeps both', () => {
    const byId = testConfig({
      domain: { zoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'app.example.com' },
      loadBalancer: { certificateArn: TEST_CERT },
    });
    expect(byId.domain).toEqual({ zoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'app.example.com' });
    expect(byId.loadBalancer.certificateArn).toBe(TEST_CERT);
    expect(testConfig({ domain: { zoneName: 'example.com', recordName: 'example.com' } }).domain).toEqual({
      zoneName: 'example.com',
      recordName: 'example.com',
    });
  });

  test('prod: NAT per AZ across three AZs, flow logs, deletion protection, 2..5 instances', () => {
    expect(prod).toMatchObject({
      natMode: 'per-az',
      flowLogs: true,
      flowLogDestination: 'cloud-watch-logs',
      flowLogTraffic: 'ALL',
      containerInsights: true,
      detailedMonitoring: true,
      schedule: { enabled: false },
      capacity: { min: 2, max: 10 },
      loadBalancer: { deletionProtection: true, accessLogs: true },
      image: { forceDelete: false },
    });
    expect(prod.availabilityZones).toHaveLength(3);
  });

  test('subnet CIDRs are carved deterministically: public in the lower half, private in the upper', () => {
    expect(dev.publicSubnetCidrs).toEqual(['10.10.0.0/20', '10.10.16.0/20']);
    expect(dev.privateSubnetCidrs).toEqual(['10.10.128.0/20', '10.10.144.0/20']);
    expect(prod.privateSubnetCidrs).toEqual(['10.20.128.0/20', '10.20.144.0/20', '10.20.160.0/20']);
    expect(demoConfigs(['dev'])[0].publicSubnetCidrs).toEqual(dev.publicSubnetCidrs);
  });

  test('defaults apply to an empty environment', () => {
    const c = resolveEnvironment('qa', {});
    expect(c).toMatchObject({
      namePrefix: 'host-name-qa',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      vpcCidr: '10.0.0.0/16',
      natMode: 'single',
      natInstance: { instanceType: 't4g.nano' },
      flowLogDestination: 'cloud-watch-logs',
      flowLogTraffic: 'ALL',
      detailedMonitoring: true,
      containerInsights: true,
      schedule: { enabled: false, timeZone: 'UTC', days: 'MON-FRI', start: '08:00', stop: '19:00' },
      instanceType: 't2.micro',
      reservedMemoryMiB: 256,
      capacity: { min: 1, max: 4 },
      loadBalancer: { ingressCidrs: ['0.0.0.0/0'], idleTimeoutSeconds: 60 },
      logRetentionDays: 30,
      image: { untaggedImageDays: 14, forceDelete: false },
      tags: {},
    });
    expect(c.state).toBeUndefined();
    // No services named: the host-name app from workload/, as the default route.
    expect(c.services).toEqual([
      {
        name: 'host-name',
        runsOn: 'ec2',
        profile: 'spring-boot',
        image: { kind: 'build', directory: WORKLOAD_DIR, repositoryName: 'host-name-qa-host-name' },
        routing: { pathPatterns: [], hostHeaders: [], priority: undefined, default: true, urlPath: '/host-name' },
        container: {
          port: 8000,
          cpu: 512,
          memoryMiB: 512,
          memoryReservationMiB: 512,
          environment: { SERVER_PORT: '8000', JAVA_TOOL_OPTIONS: jvmOptions(512, 512) },
          secrets: {},
          secretsKmsKeyArn: undefined,
          healthCheck: { command: HEALTHCHECK_COMMAND, intervalSeconds: 15, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 60 },
          stopTimeoutSeconds: 30,
          readonlyRootFilesystem: true,
          writablePaths: [],
        },
        targetGroup: {
          healthCheckPath: '/actuator/health/readiness',
          healthCheckIntervalSeconds: 15,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
          deregistrationDelaySeconds: 30,
        },
        scaling: {
          minTasks: 1,
          maxTasks: 2,
          desiredCount: 1,
          requestsPerTarget: 50,
          cpuTargetPercent: 60,
          scaleOutCooldownSeconds: 60,
          scaleInCooldownSeconds: 300,
          healthCheckGracePeriodSeconds: 60,
        },
        deployment: { strategy: 'rolling', waitForSteadyState: true, timeoutMinutes: 20, rollbackOnAlarm: true },
      },
    ]);
  });

  test('explicit subnet CIDRs are kept as given', () => {
    const c = resolveEnvironment('qa', {
      vpcCidr: '10.1.0.0/16',
      publicSubnetCidrs: ['10.1.101.0/24', '10.1.102.0/24'],
      privateSubnetCidrs: ['10.1.1.0/24', '10.1.2.0/24'],
    });
    expect(c.publicSubnetCidrs).toEqual(['10.1.101.0/24', '10.1.102.0/24']);
    expect(c.privateSubnetCidrs).toEqual(['10.1.1.0/24', '10.1.2.0/24']);
  });

  test('pipeline overrides: the image map and the state bucket come from the environment', () => {
    const o = overridesFromEnv({
      HOST_NAME_IMAGES: '{"host-name":"1.dkr.ecr.us-east-1.amazonaws.com/x:1"}',
      HOST_NAME_STATE_BUCKET: 'tf-state',
    });
    const [c, micro] = demoConfigs(['dev', 'microservices'], o);
    expect(c.services[0].image).toEqual({ kind: 'uri', uri: '1.dkr.ecr.us-east-1.amazonaws.com/x:1' });
    // An environment without a host-name service keeps its own images.
    expect(micro.services.map((s) => s.image)).toEqual(demoConfigs(['microservices'])[0].services.map((s) => s.image));
    expect(c.state).toEqual({ bucket: 'tf-state', region: 'us-east-1' });
    expect(overridesFromEnv({ HOST_NAME_IMAGES: '' }).images).toBeUndefined();
  });

  test('the environments to synthesize come from argv, else HOST_NAME_ENVS, else the defaults', () => {
    expect(requestedEnvironments(['prod'], { HOST_NAME_ENVS: 'dev' })).toEqual(['prod']);
    expect(requestedEnvironments([], { HOST_NAME_ENVS: 'dev, prod' })).toEqual(['dev', 'prod']);
    expect(requestedEnvironments([], {})).toEqual([]);
    expect(demoConfigs(['prod', 'prod']).map((c) => c.name)).toEqual(['prod']);
  });
});

describe('instance sizing', () => {
  test('the tutorial: a t2.micro holds one 512 MiB task, and no 870 MiB task', () => {
    const micro = INSTANCE_TYPES['t2.micro'];
    expect(tasksPerInstance(micro, { cpu: 512, memoryReservationMiB: 512 }, 256)).toBe(1);
    expect(tasksPerInstance(micro, { cpu: 512, memoryReservationMiB: 870 }, 256)).toBe(0);
  });

  test('cpu can be the binding limit', () => {
    expect(tasksPerInstance(INSTANCE_TYPES['t3.large'], { cpu: 1024, memoryReservationMiB: 256 }, 256)).toBe(2);
  });

  test('every type has a sane size', () => {
    for (const [name, spec] of Object.entries(INSTANCE_TYPES)) {
      expect([name, spec.vcpus >= 1 && spec.registeredMemoryMiB > 900]).toEqual([name, true]);
    }
  });
});

describe('services', () => {
  const micro = demoConfigs(['microservices'])[0];

  test('the microservices example: three generic services from URIs, each on its path, one with a secret', () => {
    expect(micro.services.map((s) => [s.name, s.profile, s.image.kind, s.routing.pathPatterns, Object.keys(s.container.secrets)])).toEqual([
      ['posts', 'generic', 'uri', ['/posts*'], []],
      ['threads', 'generic', 'uri', ['/threads*'], ['DATABASE_PASSWORD']],
      ['users', 'generic', 'uri', ['/users*'], []],
    ]);
    for (const s of micro.services) {
      expect(s.container.environment).toEqual({});
      expect(s.container.healthCheck).toBeUndefined();
      expect(s.routing.urlPath).toBe(`/${s.name}`);
    }
  });

  test('derived priorities come from the name alone: adding a service never moves another', () => {
    const priorities = Object.fromEntries(micro.services.map((s) => [s.name, s.routing.priority]));
    expect(priorities).toEqual({ posts: derivedPriority('posts'), threads: derivedPriority('threads'), users: derivedPriority('users') });
    const more = resolveEnvironment('microservices', {
      ...DEMO_ENVIRONMENTS.microservices,
      capacity: { min: 1, max: 4 },
      services: {
        ...DEMO_ENVIRONMENTS.microservices.services,
        search: { image: { uri: 'r.example/search:1' }, routing: { pathPatterns: ['/search*'] } },
      },
    });
    for (const s of micro.services) expect(more.services.find((m) => m.name === s.name)!.routing.priority).toBe(s.routing.priority);
    expect(new Set(Object.values(priorities)).size).toBe(3);
    for (const p of Object.values(priorities)) expect(p).toBeGreaterThanOrEqual(1000);
  });

  test('overlapping routes are allowed when both set a priority', () => {
    const c = resolveEnvironment('microservices', {
      ...DEMO_ENVIRONMENTS.microservices,
      services: {
        ...DEMO_ENVIRONMENTS.microservices.services,
        users: { ...DEMO_ENVIRONMENTS.microservices.services!.users, routing: { pathPatterns: ['/users*'], priority: 20 } },
        posts: { ...DEMO_ENVIRONMENTS.microservices.services!.posts, routing: { pathPatterns: ['/users/*/posts*'], priority: 10 } },
      },
    });
    expect(c.services.map((s) => [s.name, s.routing.priority])).toContainEqual(['posts', 10]);
  });

  test('a generic service may name its own container health check, with the default timing', () => {
    const c = resolveEnvironment('qa', {
      services: {
        app: {
          image: { uri: 'r.example/app:1' },
          routing: { default: true },
          container: { healthCheck: { command: ['CMD-SHELL', 'true'] } },
        },
      },
    });
    expect(c.services[0].container.healthCheck).toEqual({
      command: ['CMD-SHELL', 'true'],
      intervalSeconds: 15,
      timeoutSeconds: 5,
      retries: 3,
      startPeriodSeconds: 60,
    });
    expect(c.services[0].targetGroup.healthCheckPath).toBe('/health');
  });

  test('a stock image: its Docker Hub name written out, writable paths in name order (64 MiB unless sized), a user', () => {
    const c = resolveEnvironment('qa', {
      services: {
        web: {
          image: { uri: 'nginx:1.27' },
          routing: { default: true },
          container: {
            writablePaths: { run: { path: '/var/run', sizeMiB: 1 }, cache: { path: '/var/cache/nginx' } },
            user: '101:101',
          },
        },
      },
    });
    const [web] = c.services;
    expect(web.image).toEqual({ kind: 'uri', uri: 'docker.io/library/nginx:1.27' });
    expect(web.container).toMatchObject({
      readonlyRootFilesystem: true,
      writablePaths: [
        { name: 'cache', path: '/var/cache/nginx', sizeMiB: 64 },
        { name: 'run', path: '/var/run', sizeMiB: 1 },
      ],
      user: '101:101',
    });
  });

  test('an image that must write to its root may have a writable root, and no user unless one is named', () => {
    const c = resolveEnvironment('qa', {
      services: { web: { image: { uri: 'bitnami/nginx:1' }, routing: { default: true }, container: { readonlyRootFilesystem: false } } },
    });
    expect(c.services[0].image).toEqual({ kind: 'uri', uri: 'docker.io/bitnami/nginx:1' });
    expect(c.services[0].container.readonlyRootFilesystem).toBe(false);
    expect(c.services[0].container).not.toHaveProperty('user');
  });
});
