import { ServiceConfig } from '../src/environment/config';
import { FARGATE_CAPACITY_PROVIDERS, FARGATE_CPU_ARCHITECTURE, FARGATE_TASK_SIZES, isFargate } from '../src/services/fargate';
import { fargateNames, fitName, serviceResourceName, TARGET_GROUP_NAME_MAX } from '../src/shared/names';
import { LoadBalancedService } from '../src/services/load-balanced-service';
import { DEMO_ENVIRONMENTS, demoConfig, demoConfigs } from './support/fixtures';
import { address, synthStack } from './support/stacks';

// The demo's microservices example runs services on Fargate and Fargate Spot beside EC2 ones; every
// assertion is per service, from the config, so it holds whichever services run where.
const config = demoConfigs(['microservices'])[0];
const { json, stack } = synthStack(config);
const fargate = config.services.filter((s) => isFargate(s.runsOn));
const onEc2 = config.services.filter((s) => !isFargate(s.runsOn));
const resourceAt = (addr: string) => {
  const [type, name] = addr.split('.');
  return (json.resource as Record<string, Record<string, any>>)[type][name];
};
const wired = (s: ServiceConfig): LoadBalancedService => stack.services.find((x) => x.name === s.name)!;
const taskDefinition = (s: ServiceConfig) => resourceAt(address(wired(s).taskDefinition));
const ecsService = (s: ServiceConfig) => resourceAt(address(wired(s).service));
const container = (s: ServiceConfig) => JSON.parse(taskDefinition(s).container_definitions)[0];
const ref = (resource: Parameters<typeof address>[0], attribute: string) => `\${${address(resource)}.${attribute}}`;

test('the demo runs services both on Fargate (each of its providers) and on the instances', () => {
  expect(new Set(fargate.map((s) => s.runsOn))).toEqual(new Set(['fargate', 'fargate-spot']));
  expect(onEc2.length).toBeGreaterThan(0);
});

describe.each(fargate.map((s) => [s.name, s] as const))('Fargate service %s', (_, s) => {
  test("task definition: FARGATE, awsvpc, the container's cpu and memory as the task size, the image's architecture", () => {
    expect(taskDefinition(s)).toMatchObject({
      requires_compatibilities: ['FARGATE'],
      network_mode: 'awsvpc',
      cpu: String(s.container.cpu),
      memory: String(s.container.memoryMiB),
      runtime_platform: { operating_system_family: 'LINUX', cpu_architecture: FARGATE_CPU_ARCHITECTURE[config.instanceSpec.architecture] },
    });
    expect(FARGATE_TASK_SIZES[s.container.cpu]).toContain(s.container.memoryMiB);
  });

  test('container: host port = container port, no privileged flag, no tmpfs (Fargate refuses both)', () => {
    const c = container(s);
    expect(c.portMappings).toEqual([{ containerPort: s.container.port, hostPort: s.container.port, protocol: 'tcp' }]);
    expect(c).not.toHaveProperty('privileged');
    expect(c).not.toHaveProperty('linuxParameters');
    expect(c.stopTimeout).toBeLessThanOrEqual(120);
  });

  test('service: its Fargate provider alone, the private subnets, its task group, no public IP, no placement strategy', () => {
    const svc = ecsService(s);
    expect(svc.capacity_provider_strategy).toEqual([
      { capacity_provider: FARGATE_CAPACITY_PROVIDERS[s.runsOn as 'fargate'], weight: 1, base: 0 },
    ]);
    expect(svc.network_configuration).toEqual({
      subnets: stack.network.privateSubnets.map((p) => ref(p.subnet, 'id')),
      security_groups: [ref(wired(s).taskSecurityGroup!, 'id')],
      assign_public_ip: false,
    });
    expect(svc).not.toHaveProperty('ordered_placement_strategy');
    expect(svc.load_balancer).toEqual([
      { target_group_arn: ref(wired(s).route.targetGroup, 'arn'), container_name: s.name, container_port: s.container.port },
    ]);
  });

  test('target group: IP targets on the container port, under a name of its own within 32 characters, created before destroyed', () => {
    const tg = resourceAt(address(wired(s).route.targetGroup));
    const name = fargateNames(config.namePrefix, s.name).targetGroup;
    expect(tg).toMatchObject({ target_type: 'ip', port: s.container.port, name, lifecycle: { create_before_destroy: true } });
    expect(name).not.toBe(serviceResourceName(config.namePrefix, s.name));
    expect(name.length).toBeLessThanOrEqual(TARGET_GROUP_NAME_MAX);
  });

  test("task security group: in from the ALB's group on the container port only, HTTPS out; the ALB's egress to it", () => {
    const sg = ref(wired(s).taskSecurityGroup!, 'id');
    const alb = ref(stack.loadBalancer.securityGroup, 'id');
    const rules = (type: string) => Object.values((json.resource as any)[type] as Record<string, any>);
    const port = { ip_protocol: 'tcp', from_port: s.container.port, to_port: s.container.port };
    expect(rules('aws_vpc_security_group_ingress_rule').filter((r) => r.security_group_id === sg)).toEqual([
      expect.objectContaining({ ...port, referenced_security_group_id: alb }),
    ]);
    expect(rules('aws_vpc_security_group_egress_rule').filter((r) => r.security_group_id === sg)).toEqual([
      expect.objectContaining({ ip_protocol: 'tcp', from_port: 443, to_port: 443, cidr_ipv4: '0.0.0.0/0' }),
    ]);
    expect(rules('aws_vpc_security_group_egress_rule')).toContainEqual(
      expect.objectContaining({ ...port, security_group_id: alb, referenced_security_group_id: sg }),
    );
  });
});

describe.each(onEc2.map((s) => [s.name, s] as const))('EC2 service %s beside them', (_, s) => {
  test('keeps bridge mode, instance targets, the instances provider and its placement', () => {
    expect(taskDefinition(s)).toMatchObject({ requires_compatibilities: ['EC2'], network_mode: 'bridge' });
    expect(taskDefinition(s)).not.toHaveProperty('cpu');
    expect(resourceAt(address(wired(s).route.targetGroup))).toMatchObject({
      target_type: 'instance',
      name: serviceResourceName(config.namePrefix, s.name),
    });
    // The instances' provider (with Spot on, on-demand for minTasks, then the Spot provider), never a Fargate one.
    const onDemand = ref(stack.capacity.capacityProvider, 'name');
    const spot = stack.capacity.spotCapacityProvider && ref(stack.capacity.spotCapacityProvider, 'name');
    const strategy = ecsService(s).capacity_provider_strategy as { capacity_provider: string; base: number }[];
    expect(strategy.map((p) => p.capacity_provider)).toEqual(spot ? [onDemand, spot] : [onDemand]);
    expect(strategy[0].base).toBe(spot ? s.scaling.minTasks : 0);
    expect(ecsService(s)).not.toHaveProperty('network_configuration');
    expect(wired(s).taskSecurityGroup).toBeUndefined();
  });
});

test("the cluster lists exactly the Fargate providers its services use, beside the instances'", () => {
  const used: string[] = fargate.map((s) => FARGATE_CAPACITY_PROVIDERS[s.runsOn as 'fargate']);
  const listed = resourceAt(address(stack.capacity.clusterCapacityProviders)).capacity_providers;
  expect(listed).toEqual([
    ref(stack.capacity.capacityProvider, 'name'),
    ...(stack.capacity.spotCapacityProvider ? [ref(stack.capacity.spotCapacityProvider, 'name')] : []),
    ...Object.values(FARGATE_CAPACITY_PROVIDERS).filter((p) => used.includes(p)),
  ]);
  const dev = synthStack(demoConfigs(['dev'])[0]);
  const devProviders = (dev.json.resource as any).aws_ecs_cluster_capacity_providers;
  expect(Object.values(devProviders).map((p: any) => p.capacity_providers)).toEqual([[ref(dev.stack.capacity.capacityProvider, 'name')]]);
});

test('writable paths on Fargate are task volumes (no tmpfs there); on EC2 they stay tmpfs', () => {
  const writable = { cache: { path: '/var/cache/app', sizeMiB: 64 } };
  const withPaths = (runsOn: 'ec2' | 'fargate') =>
    demoConfig('microservices', {
      services: {
        posts: {
          runsOn,
          image: { uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/posts:1.0.0' },
          routing: { pathPatterns: ['/posts*'] },
          container: { port: 3000, cpu: 256, memoryMiB: 512, writablePaths: writable },
        },
      },
    });
  for (const runsOn of ['ec2', 'fargate'] as const) {
    const b = synthStack(withPaths(runsOn));
    const td = Object.values((b.json.resource as any).aws_ecs_task_definition)[0] as any;
    const [c] = JSON.parse(td.container_definitions);
    if (runsOn === 'fargate') {
      expect(td.volume).toContainEqual({ name: 'writable-cache' });
      expect(c.mountPoints).toContainEqual({ sourceVolume: 'writable-cache', containerPath: '/var/cache/app', readOnly: false });
      expect(c).not.toHaveProperty('linuxParameters');
    } else {
      expect(c.linuxParameters).toEqual({ tmpfs: [{ containerPath: '/var/cache/app', size: 64 }] });
      expect(td.volume).not.toContainEqual({ name: 'writable-cache' });
    }
  }
});

test('fitName: a name that fits is kept; a longer one is cut and hashed to exactly the limit, and two such names differ', () => {
  expect(fitName('host-name-dev-api-ip', 32)).toBe('host-name-dev-api-ip');
  const a = fitName('host-name-microservices-threads-ip', 32);
  const b = fitName('host-name-microservices-threadz-ip', 32);
  expect(a.length).toBeLessThanOrEqual(32);
  expect(a).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])$/);
  expect(a).not.toBe(b);
  expect(fitName('host-name-microservices-threads-ip', 32)).toBe(a);
});

test('moving a service from the instances to Fargate keeps the addresses of its target group, task definition and ECS service (replaced or updated, never re-created elsewhere)', () => {
  const settings = DEMO_ENVIRONMENTS.microservices;
  const onInstances = Object.fromEntries(Object.entries(settings.services!).map(([n, s]) => [n, { ...s, runsOn: 'ec2' as const }]));
  // On the instances the three need twice the instances at their maximum.
  const before = synthStack(demoConfig('microservices', { services: onInstances, capacity: { ...settings.capacity, max: 4 } }));
  for (const s of fargate) {
    const was = before.stack.services.find((x) => x.name === s.name)!;
    expect(address(was.route.targetGroup)).toBe(address(wired(s).route.targetGroup));
    expect(address(was.taskDefinition)).toBe(address(wired(s).taskDefinition));
    expect(address(was.service)).toBe(address(wired(s).service));
    // A new name, so the replacement group can exist beside the old one (create_before_destroy).
    expect(resourceAt(address(wired(s).route.targetGroup)).name).not.toBe(
      (before.json.resource as any).aws_lb_target_group[address(was.route.targetGroup).split('.')[1]].name,
    );
  }
});
