/**
 * The demo environments as the template ships them in src/environments.ts: a copy, on purpose.
 * docs/cost.md's generated section prices dev and prod from here, and the tests of the project's
 * own behaviour build from here, so a team that edits src/environments.ts changes neither.
 * Change the demo in both places.
 */
import { ContainerSettings, DeploymentSettings, EnvironmentSettings, ScalingSettings, ServiceSettings } from '../../src/environment/config';
import { defaultCpuTargetPercent } from '../../src/compute/instance-types';
import { derivedRequestsPerTarget } from '../../src/services/scaling-targets';

function hostNameService(repositoryName: string, container: ContainerSettings, scaling: ScalingSettings): ServiceSettings {
  return {
    image: { directory: 'workload', repositoryName },
    profile: 'spring-boot',
    routing: { default: true, urlPath: '/host-name' },
    container,
    scaling,
  };
}

function microservice(name: string, container: ContainerSettings = {}, deployment?: DeploymentSettings): ServiceSettings {
  return {
    ...(deployment ? { deployment } : {}),
    image: { uri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${name}:1.0.0` },
    profile: 'generic',
    routing: { pathPatterns: [`/${name}*`] },
    container: { port: 3000, cpu: 256, memoryMiB: 256, ...container },
    targetGroup: { healthCheckPath: `/${name}/health` },
    scaling: { minTasks: 1, maxTasks: 2 },
  };
}

const PROD_INSTANCE_TYPE = 't3.small';

export const DEMO_ENVIRONMENTS: Readonly<Record<string, EnvironmentSettings>> = {
  dev: {
    region: 'us-east-1',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    vpcCidr: '10.10.0.0/16',
    natMode: 'instance',
    instanceType: 't2.micro',
    containerInsights: false,
    detailedMonitoring: false,
    capacity: { min: 1, max: 2 },
    schedule: { enabled: true, timeZone: 'UTC', days: 'MON-FRI', start: '07:00', stop: '19:00' },
    services: {
      'host-name': hostNameService(
        'host-name-dev',
        { cpu: 512, memoryMiB: 512, memoryReservationMiB: 224 },
        { minTasks: 1, maxTasks: 2, requestsPerTarget: 50 },
      ),
    },
    image: { forceDelete: true },
    allowPlainHttp: true,
    logRetentionDays: 14,
    operations: { exec: { enabled: true } },
  },
  prod: {
    region: 'us-east-1',
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    vpcCidr: '10.20.0.0/16',
    natMode: 'per-az',
    flowLogs: true,
    instanceType: PROD_INSTANCE_TYPE,
    capacity: { min: 2, max: 10, targetCapacityPercent: 90 },
    services: {
      'host-name': hostNameService(
        'host-name-prod',
        { cpu: 1024, memoryMiB: 768 },
        { minTasks: 2, maxTasks: 10, requestsPerTarget: derivedRequestsPerTarget(1024, defaultCpuTargetPercent(PROD_INSTANCE_TYPE)) },
      ),
    },
    loadBalancer: { deletionProtection: true, accessLogs: true },
    production: true,
    domain: { zoneName: 'example.com', recordName: 'host-name.example.com' },
    waf: { enabled: true, logging: true },
    logRetentionDays: 90,
  },
  microservices: {
    region: 'us-east-1',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    vpcCidr: '10.30.0.0/16',
    natMode: 'single',
    instanceType: 't3.small',
    capacity: { min: 1, max: 2 },
    spot: { enabled: true },
    services: {
      users: microservice(
        'users',
        {},
        { strategy: 'blue-green', trafficShift: 'canary', testListenerPort: 8080, testListenerCidrs: ['203.0.113.0/24'] },
      ),
      // Fargate Spot and Fargate: no instances to size; the task is 0.25 vCPU and 512 MiB, Fargate's smallest.
      threads: {
        ...microservice('threads', {
          memoryMiB: 512,
          secrets: { DATABASE_PASSWORD: 'arn:aws:ssm:us-east-1:123456789012:parameter/host-name-microservices/threads/db-password' },
        }),
        runsOn: 'fargate-spot',
      },
      posts: { ...microservice('posts', { memoryMiB: 512 }), runsOn: 'fargate' },
    },
    allowPlainHttp: true,
    logRetentionDays: 7,
  },
};

/** The demo's DEFAULT_ENVIRONMENTS: what docs/cost.md prices. */
export const DEMO_DEFAULT_ENVIRONMENTS: readonly string[] = ['dev', 'prod'];
