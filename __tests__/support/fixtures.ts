import { Construct } from 'constructs';
import { CONTAINER_STOP_TIMEOUT_SECONDS, EnvironmentConfig, EnvironmentSettings } from '../../src/environment/config';
import { resolveEnvironment } from '../../src/environment/resolve';
import { Overrides, selectEnvironments } from '../../src/environment/select';
import { Ec2Capacity, Ec2CapacityProps } from '../../src/compute/ec2-capacity';
import { INSTANCE_TYPES } from '../../src/compute/instance-types';
import { PublicLoadBalancer, PublicLoadBalancerProps, RouteOptions } from '../../src/edge/load-balancer';
import { Network } from '../../src/network/network';
import { DEMO_DEFAULT_ENVIRONMENTS, DEMO_ENVIRONMENTS } from '../../tools/cost/demo-environments';

export { DEMO_DEFAULT_ENVIRONMENTS, DEMO_ENVIRONMENTS };

/** A name no environment has; config.test.ts holds src/environments.ts to it. */
export const UNKNOWN_ENVIRONMENT = 'no-such-env';

export const TEST_CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
export const TEST_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/host-name:1.0.0';

/**
 * Demo environments resolved (dev and prod unless named), as main.ts would with `overrides`. Tests of
 * the project's own behaviour build from these, never from src/environments.ts, which teams edit.
 */
export function demoConfigs(names: readonly string[] = DEMO_DEFAULT_ENVIRONMENTS, overrides: Overrides = {}): EnvironmentConfig[] {
  return selectEnvironments(names, overrides, DEMO_ENVIRONMENTS);
}

/** One demo environment with some settings replaced (nested objects whole), resolved under `as`. */
export function demoConfig(name: string, settings: EnvironmentSettings = {}, as = name): EnvironmentConfig {
  return resolveEnvironment(as, { ...DEMO_ENVIRONMENTS[name], ...settings });
}

/** A resolved config for tests, from the defaults plus `settings`. */
export function testConfig(settings: EnvironmentSettings = {}, name = 'test') {
  return resolveEnvironment(name, settings);
}

export function testNetwork(scope: Construct): Network {
  const c = testConfig();
  return new Network(scope, 'network', {
    namePrefix: 'hn-test',
    vpcCidr: c.vpcCidr,
    availabilityZones: c.availabilityZones,
    publicSubnetCidrs: c.publicSubnetCidrs,
    privateSubnetCidrs: c.privateSubnetCidrs,
    natMode: c.natMode,
    logRetentionDays: c.logRetentionDays,
  });
}

export function testLoadBalancer(scope: Construct, network: Network, props: Partial<PublicLoadBalancerProps> = {}) {
  return new PublicLoadBalancer(scope, 'lb', {
    namePrefix: 'hn-test',
    vpc: network.vpc,
    subnets: network.publicSubnets.map((s) => s.subnet),
    ingressCidrs: ['0.0.0.0/0'],
    idleTimeoutSeconds: 60,
    deletionProtection: false,
    blockedPaths: [],
    blockedPathsPriority: 1,
    ...props,
  });
}

/** Route options as the config resolves them for a spring-boot service. */
export const TEST_ROUTE: RouteOptions = {
  targetGroupName: 'hn-test-api',
  pathPatterns: ['/api*'],
  hostHeaders: [],
  priority: 1200,
  default: false,
  healthCheck: { path: '/actuator/health/readiness', intervalSeconds: 15, healthyThreshold: 2, unhealthyThreshold: 3 },
  deregistrationDelaySeconds: 30,
};

/** An Ec2Capacity with the values the resolver gives a default environment, plus `props`. */
export function testCapacity(scope: Construct, network: Network, props: Partial<Ec2CapacityProps> = {}) {
  const c = testConfig();
  return new Ec2Capacity(scope, 'capacity', {
    namePrefix: 'hn-test',
    vpc: network.vpc,
    subnets: network.privateSubnets.map((s) => s.subnet),
    instanceType: 't2.micro',
    instanceSpec: INSTANCE_TYPES['t2.micro'],
    capacity: c.capacity,
    reservedMemoryMiB: c.reservedMemoryMiB,
    containerStopTimeoutSeconds: CONTAINER_STOP_TIMEOUT_SECONDS,
    detailedMonitoring: c.detailedMonitoring,
    containerInsights: c.containerInsights,
    ...props,
  });
}
