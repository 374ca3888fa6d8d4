/**
 * Numbers the stacks take from elsewhere in the repository: checked against their source, so that
 * one cannot change without the other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../src/services/resolve';
import { RUNTIME_PROFILE_DEFAULTS, SPRING_BOOT_KEEP_ALIVE_SECONDS } from '../src/services/runtime-profiles';
import { derivedRequestsPerTarget, MEASURED_REQUESTS_PER_CPU_SECOND } from '../src/services/scaling-targets';
import { demoConfigs } from './support/fixtures';

const read = (path: string) => readFileSync(join(REPOSITORY_ROOT, path), 'utf8');
const [dev, prod] = demoConfigs(['dev', 'prod']);

describe('the ALB idle timeout stays below the workload keep-alive', () => {
  test("SPRING_BOOT_KEEP_ALIVE_SECONDS is workload/'s server.tomcat.keep-alive-timeout", () => {
    const value = /^server\.tomcat\.keep-alive-timeout=(\d+)s$/m.exec(read('workload/src/main/resources/application.properties'));
    expect(value?.[1]).toBe(String(SPRING_BOOT_KEEP_ALIVE_SECONDS));
    expect(RUNTIME_PROFILE_DEFAULTS['spring-boot'].keepAliveSeconds).toBe(SPRING_BOOT_KEEP_ALIVE_SECONDS);
  });

  test('every environment keeps below it', () => {
    for (const c of [dev, prod]) expect(c.loadBalancer.idleTimeoutSeconds).toBeLessThan(SPRING_BOOT_KEEP_ALIVE_SECONDS);
  });
});

describe('requests per target, derived from bench/RESULTS.md', () => {
  test("MEASURED_REQUESTS_PER_CPU_SECOND is section 4's c=300 row (the deployed setting under the seed's load)", () => {
    const lines = read('bench/RESULTS.md').split('\n');
    const cells = (line: string) => line.split('|').map((c) => c.trim());
    const row = lines.find((line) => line.startsWith('| **ours** (production start) | c=300 |'));
    expect(row).toBeDefined();
    const header = lines
      .slice(0, lines.indexOf(row!))
      .reverse()
      .find((line) => line.startsWith('| server |'))!;
    const column = cells(header).indexOf('requests per CPU-second');
    const perCpuSecond = cells(row!)[column].split(' ')[0].replace(/,/g, '');
    expect(Number(perCpuSecond)).toBe(MEASURED_REQUESTS_PER_CPU_SECOND);
  });

  test('the formula: per CPU-second x vCPUs x CPU target x 60 (ALBRequestCountPerTarget is per minute)', () => {
    expect(derivedRequestsPerTarget(1024, 20)).toBe(Math.floor(11_204 * 1 * 0.2 * 60));
    expect(derivedRequestsPerTarget(512, 60)).toBe(Math.floor(11_204 * 0.5 * 0.6 * 60));
  });

  test("prod uses the derived value; dev keeps the tutorial's 50", () => {
    const hostName = (c: typeof dev) => c.services.find((s) => s.name === 'host-name')!;
    // At the CPU target's load, so that requests scaling fires where the CPU policy aims, not at a benchmark peak.
    const { container, scaling } = hostName(prod);
    expect(scaling.requestsPerTarget).toBe(derivedRequestsPerTarget(container.cpu, scaling.cpuTargetPercent));
    expect(hostName(dev).scaling.requestsPerTarget).toBe(50);
  });

  test("prod's capacity provider keeps spare capacity (target below 100); dev fills its instances", () => {
    expect(prod.capacity.targetCapacityPercent).toBeLessThan(100);
    expect(dev.capacity.targetCapacityPercent).toBe(100);
  });
});
