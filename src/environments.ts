import { ContainerSettings, DeploymentSettings, EnvironmentSettings, ScalingSettings, ServiceSettings } from './environment/config';
import { defaultCpuTargetPercent } from './compute/instance-types';
import { derivedRequestsPerTarget } from './services/scaling-targets';

/** The host-name app (workload/) as the listener's default route, sized per environment. */
function hostNameService(repositoryName: string, container: ContainerSettings, scaling: ScalingSettings): ServiceSettings {
  return {
    // The repository keeps the name it had before services were a map, so its images stay.
    image: { directory: 'workload', repositoryName },
    profile: 'spring-boot',
    routing: { default: true, urlPath: '/host-name' },
    container,
    scaling,
  };
}

/** One of the tutorial's Node.js microservices: an image built elsewhere, on its own path. */
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

/** Burstable with unlimited credits: the CPU target defaults to its 20% baseline per vCPU, which two tasks sustain with no surplus credits. */
const PROD_INSTANCE_TYPE = 't3.small';

/**
 * The environments this app knows. Anything not set here takes the default documented in
 * its area's settings.ts (src/<area>/settings.ts, composed by environment/config.ts). Adding an environment is adding an entry; adding a service is adding an entry to its
 * `services`.
 */
export const ENVIRONMENTS: Readonly<Record<string, EnvironmentSettings>> = {
  // The tutorial's shape at the lowest cost (docs/cost.md): a NAT instance instead of a NAT gateway,
  // t2.micro, no Container Insights or detailed monitoring, and nothing running outside working hours.
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
      // The reservation is what placement counts: the measured peak RSS under wrk -t4 -c300 is 184 MiB
      // (bench/RESULTS.md), plus a fifth for noise, rounded up to 32 MiB: 224. Two tasks fit a t2.micro
      // (cpu-bound there) while the hard limit stays 512 MiB.
      'host-name': hostNameService(
        'host-name-dev',
        { cpu: 512, memoryMiB: 512, memoryReservationMiB: 224 },
        { minTasks: 1, maxTasks: 2, requestsPerTarget: 50 },
      ),
    },
    // Throwaway images: destroy may delete the repository with them.
    image: { forceDelete: true },
    // No domain, certificate or WAF: the tutorial's plain HTTP on the ALB's DNS name, on purpose.
    allowPlainHttp: true,
    logRetentionDays: 14,
    // A shell in a running task is for debugging: dev only.
    operations: { exec: { enabled: true } },
  },
  // Survives an AZ outage: three AZs, a NAT gateway per AZ, flow logs, access logs, deletion protection.
  prod: {
    region: 'us-east-1',
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    vpcCidr: '10.20.0.0/16',
    natMode: 'per-az',
    flowLogs: true,
    instanceType: PROD_INSTANCE_TYPE,
    // Ten: a deployment while at 10 tasks runs 20 (maximum percent 200), two per t3.small. A target
    // of 90% keeps a spare instance, so new tasks place at once instead of waiting for one to boot.
    capacity: { min: 2, max: 10, targetCapacityPercent: 90 },
    services: {
      // Requests per target: the measured throughput of a 1024-unit task at the CPU target (scaling-targets.ts);
      // dev keeps the tutorial's 50 so that a wrk run shows scaling.
      'host-name': hostNameService(
        'host-name-prod',
        { cpu: 1024, memoryMiB: 768 },
        { minTasks: 2, maxTasks: 10, requestsPerTarget: derivedRequestsPerTarget(1024, defaultCpuTargetPercent(PROD_INSTANCE_TYPE)) },
      ),
    },
    loadBalancer: { deletionProtection: true, accessLogs: true },
    production: true,
    // PLACEHOLDER: replace with a public hosted zone of your account and a name in it (docs/configuration.md,
    // "HTTPS"). Until then a plan fails with "no matching Route 53 Hosted Zone found".
    domain: { zoneName: 'example.com', recordName: 'host-name.example.com' },
    waf: { enabled: true, logging: true },
    logRetentionDays: 90,
  },
  // Example, not synthesized by default: the seed tutorial's three microservices on one cluster and
  // one ALB, each on its own path, from images built elsewhere (replace the URIs with yours).
  microservices: {
    region: 'us-east-1',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    vpcCidr: '10.30.0.0/16',
    natMode: 'single',
    instanceType: 't3.small',
    capacity: { min: 1, max: 2 },
    // A second, all-Spot group (t3.small, t3a.small, t2.medium, t3.medium): each EC2 service's minTasks on on-demand, the rest 3:1 Spot.
    spot: { enabled: true },
    services: {
      // Blue/green through CodeDeploy (npm run release -- deploy microservices users): 10% of the traffic
      // for 5 minutes first, and a test listener on 8080 for an office range (replace it with yours).
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
    // An example, not production: plain HTTP on the ALB's DNS name.
    allowPlainHttp: true,
    logRetentionDays: 7,
  },
};

/** What `npm run synth` (and the integration test's default) builds when no environment is named. */
export const DEFAULT_ENVIRONMENTS: readonly string[] = ['dev', 'prod'];
