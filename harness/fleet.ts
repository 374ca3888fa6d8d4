/** A generated environment of many generic services on one ALB: the fleet test, `npm run validate` and the bench build it the same way. */
import { EnvironmentSettings, ServiceSettings } from '../src/environment/config';

/** Service names in name order: svc000, svc001, ... */
export function fleetServiceNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `svc${String(i).padStart(3, '0')}`);
}

/**
 * `count` small generic services, each on its own path with no priority set, on instances large
 * enough that the fit check never binds: what a platform team with dozens of services writes.
 */
export function fleetEnvironment(count: number, extra: EnvironmentSettings = {}): EnvironmentSettings {
  const service = (name: string): ServiceSettings => ({
    image: { uri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${name}:1.0.0` },
    routing: { pathPatterns: [`/${name}/*`] },
    container: { cpu: 128, memoryMiB: 128 },
    scaling: { maxTasks: 1 },
  });
  return {
    vpcCidr: '10.90.0.0/16',
    // No domain here: plain HTTP, said out loud as the policy suite requires.
    allowPlainHttp: true,
    instanceType: 'm6i.4xlarge',
    capacity: { min: 1, max: 10 },
    services: Object.fromEntries(fleetServiceNames(count).map((name) => [name, service(name)])),
    ...extra,
  };
}
