import { formatCidr, overlaps, parseCidr, subnet } from '../constructs/cidr';
import { resolveEnvironment } from '../constructs/config-validation';
import { ENVIRONMENTS, overridesFromEnv, requestedEnvironments, selectEnvironments } from '../constructs/environments';
import { INSTANCE_TYPES, tasksPerInstance } from '../constructs/instance-types';

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

describe('environment config', () => {
  const [dev, prod] = selectEnvironments([]);

  test('dev and prod exist and resolve', () => {
    expect(Object.keys(ENVIRONMENTS)).toEqual(expect.arrayContaining(['dev', 'prod']));
    expect(dev.name).toBe('dev');
    expect(prod.name).toBe('prod');
  });

  test('dev: single NAT, t2.micro, 1..2 instances, no flow logs, HTTP only', () => {
    expect(dev).toMatchObject({
      namePrefix: 'host-name-dev',
      region: 'us-east-1',
      natMode: 'single',
      flowLogs: false,
      instanceType: 't2.micro',
      capacity: { min: 1, max: 2 },
      loadBalancer: { deletionProtection: false, accessLogs: false, healthCheckPath: '/actuator/health/readiness' },
      service: { requestsPerTarget: 50, desiredCount: 1 },
      image: { forceDelete: true },
    });
    expect(dev.loadBalancer.certificateArn).toBeUndefined();
  });

  test('prod: NAT per AZ across three AZs, flow logs, deletion protection, 2..5 instances', () => {
    expect(prod).toMatchObject({
      natMode: 'per-az',
      flowLogs: true,
      capacity: { min: 2, max: 5 },
      loadBalancer: { deletionProtection: true, accessLogs: true },
      image: { forceDelete: false },
    });
    expect(prod.availabilityZones).toHaveLength(3);
  });

  test('subnet CIDRs are carved deterministically: public in the lower half, private in the upper', () => {
    expect(dev.publicSubnetCidrs).toEqual(['10.10.0.0/20', '10.10.16.0/20']);
    expect(dev.privateSubnetCidrs).toEqual(['10.10.128.0/20', '10.10.144.0/20']);
    expect(prod.privateSubnetCidrs).toEqual(['10.20.128.0/20', '10.20.144.0/20', '10.20.160.0/20']);
    expect(selectEnvironments(['dev'])[0].publicSubnetCidrs).toEqual(dev.publicSubnetCidrs);
  });

  test('defaults apply to an empty environment', () => {
    const c = resolveEnvironment('qa', {});
    expect(c).toMatchObject({
      namePrefix: 'host-name-qa',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      vpcCidr: '10.0.0.0/16',
      natMode: 'single',
      instanceType: 't2.micro',
      reservedMemoryMiB: 256,
      task: { cpu: 512, memoryMiB: 512, memoryReservationMiB: 512, containerPort: 8000 },
      service: { minTasks: 1, maxTasks: 2, desiredCount: 1, cpuTargetPercent: 60 },
      loadBalancer: { ingressCidrs: ['0.0.0.0/0'], idleTimeoutSeconds: 60, deregistrationDelaySeconds: 30 },
      logRetentionDays: 30,
      image: { keepImages: 20 },
      tags: {},
    });
    expect(c.state).toBeUndefined();
    expect(c.image.uri).toBeUndefined();
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

  test('pipeline overrides: image URI and state bucket come from the environment', () => {
    const o = overridesFromEnv({ HOST_NAME_IMAGE_URI: '1.dkr.ecr.us-east-1.amazonaws.com/x:1', HOST_NAME_STATE_BUCKET: 'tf-state' });
    const [c] = selectEnvironments(['dev'], o);
    expect(c.image.uri).toBe('1.dkr.ecr.us-east-1.amazonaws.com/x:1');
    expect(c.state).toEqual({ bucket: 'tf-state', region: 'us-east-1' });
    expect(overridesFromEnv({ HOST_NAME_IMAGE_URI: '' }).imageUri).toBeUndefined();
  });

  test('the environments to synthesize come from argv, else HOST_NAME_ENVS, else all', () => {
    expect(requestedEnvironments(['prod'], { HOST_NAME_ENVS: 'dev' })).toEqual(['prod']);
    expect(requestedEnvironments([], { HOST_NAME_ENVS: 'dev, prod' })).toEqual(['dev', 'prod']);
    expect(requestedEnvironments([], {})).toEqual([]);
    expect(selectEnvironments(['prod', 'prod']).map((c) => c.name)).toEqual(['prod']);
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
