/**
 * The requests-per-target scaling target derived from measurement instead of the tutorial's 50.
 * ALBRequestCountPerTarget is a count per target per MINUTE: the tutorial's 50 is under one
 * request per second per task, which drives a service to its maximum at almost any real traffic.
 */

/**
 * Requests per CPU-second one task of workload/ served in bench/RESULTS.md (section 4, the production
 * start as deployed under the seed's wrk -t4 -c300: the steadier of its two loads). A test reads the file and compares.
 */
export const MEASURED_REQUESTS_PER_CPU_SECOND = 11_204;

/**
 * requestsPerTarget = requests per CPU-second x (cpu units / 1024) x CPU target x 60 s, rounded down:
 * the requests a task serves at the CPU target of its scaling policy, so both policies aim at the same
 * load. Real requests cost more CPU than the benchmark's loopback hello-world, so the CPU policy
 * usually acts first and this one catches cheap floods.
 */
export function derivedRequestsPerTarget(
  cpuUnits: number,
  cpuTargetPercent: number,
  requestsPerCpuSecond = MEASURED_REQUESTS_PER_CPU_SECOND,
): number {
  return Math.floor(requestsPerCpuSecond * (cpuUnits / 1024) * (cpuTargetPercent / 100) * 60);
}
