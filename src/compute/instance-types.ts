/**
 * What ECS can place on an instance type: its vCPUs (1 vCPU = 1024 ECS cpu units), the memory EC2
 * lists for it, and the memory the ECS agent registers for it.
 *
 * `registeredMemoryMiB` is MemTotal of the ECS-optimized AMI, which is below the advertised size
 * because of kernel and platform overhead. Source: "Reserving Amazon ECS Linux container instance
 * memory", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html
 * (its worked example: an m4.large with 8 GiB installed registers 7985 MiB). AWS publishes no
 * per-type table: for the types measured on Amazon Linux 2023 ECS-optimized instances the table
 * holds that figure, rounded down; every other type gets estimatedRegisteredMemoryMiB. Both err
 * low, so a task that passes here also places in AWS.
 */
export interface InstanceTypeSpec {
  readonly vcpus: number;
  /** As EC2 lists it (describe-instance-types MemoryInfo.SizeInMiB). */
  readonly memoryMiB: number;
  readonly registeredMemoryMiB: number;
  readonly architecture: Architecture;
}

export type Architecture = 'x86_64' | 'arm64';
export const ARCHITECTURES: readonly Architecture[] = ['x86_64', 'arm64'];

/**
 * The types this product knows how to size, generated from AWS instance-type data
 * (tools/instance-types/aws-instance-types.json) by tools/instance-types/generate.ts.
 */
export { INSTANCE_TYPES } from './instance-type-table';

/**
 * Registered memory for a type nobody measured: 7.5% of the advertised memory and 64 MiB more
 * kept back. The most any measured type loses is 6.7% (m7g.large: 549 of 8192 MiB) and 98 MiB on
 * a 1 GiB type (t4g.micro), so this stays below every measured figure (a test holds it to that),
 * and within a family the share falls with size (t3: 7.9% of 1 GiB, 4.2% of 8 GiB).
 */
export function estimatedRegisteredMemoryMiB(memoryMiB: number): number {
  return Math.floor(memoryMiB * 0.925) - 64;
}

/** How many tasks of the given size one instance holds, after the agent's reserved memory. */
export function tasksPerInstance(
  spec: InstanceTypeSpec,
  task: { cpu: number; memoryReservationMiB: number },
  reservedMemoryMiB: number,
): number {
  const byMemory = Math.floor((spec.registeredMemoryMiB - reservedMemoryMiB) / task.memoryReservationMiB);
  const byCpu = Math.floor((spec.vcpus * 1024) / task.cpu);
  return Math.max(0, Math.min(byMemory, byCpu));
}

/** The docker platform string that matches an instance's architecture. */
export function dockerPlatform(spec: InstanceTypeSpec): string {
  return spec.architecture === 'arm64' ? 'linux/arm64' : 'linux/amd64';
}

/**
 * Burstable types: vCPUs, baseline CPU per vCPU, and the credit mode they launch with. Source: the
 * EC2 user guide's "CPU credits and baseline utilization" table and "Unlimited mode concepts",
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/burstable-credits-baseline-concepts.html
 * In unlimited mode, CPU above the baseline averaged over 24 hours is billed as surplus credits.
 */
export interface BurstableSpec {
  readonly vcpus: number;
  readonly baselinePercent: number;
  readonly defaultCredits: 'standard' | 'unlimited';
}

const burstable = (vcpus: number, baselinePercent: number, defaultCredits: BurstableSpec['defaultCredits']): BurstableSpec => ({
  vcpus,
  baselinePercent,
  defaultCredits,
});

export const BURSTABLE_TYPES: Readonly<Record<string, BurstableSpec>> = {
  't2.micro': burstable(1, 10, 'standard'),
  't2.small': burstable(1, 20, 'standard'),
  't2.medium': burstable(2, 20, 'standard'),
  't2.large': burstable(2, 30, 'standard'),
  't2.xlarge': burstable(4, 22.5, 'standard'),
  't2.2xlarge': burstable(8, 17, 'standard'),
  ...Object.fromEntries(
    ['t3', 't3a', 't4g'].flatMap((family) => [
      [`${family}.nano`, burstable(2, 5, 'unlimited')],
      [`${family}.micro`, burstable(2, 10, 'unlimited')],
      [`${family}.small`, burstable(2, 20, 'unlimited')],
      [`${family}.medium`, burstable(2, 20, 'unlimited')],
      [`${family}.large`, burstable(2, 30, 'unlimited')],
      [`${family}.xlarge`, burstable(4, 40, 'unlimited')],
      [`${family}.2xlarge`, burstable(8, 40, 'unlimited')],
    ]),
  ),
};

/** Whether an instance of this type, with this credit_specification (undefined: the family's default), bills surplus credits. */
export function unlimitedCredits(instanceType: string, cpuCredits?: string): boolean {
  const spec = BURSTABLE_TYPES[instanceType];
  return spec !== undefined && (cpuCredits ?? spec.defaultCredits) === 'unlimited';
}

/** The services' CPU target where it bills nothing extra. */
export const DEFAULT_CPU_TARGET_PERCENT = 60;

/**
 * A service's default CPU target: DEFAULT_CPU_TARGET_PERCENT, or the baseline of a burstable type
 * in unlimited mode, so tasks held at the target earn the credits they spend and bill no surplus.
 */
export function defaultCpuTargetPercent(instanceType: string, cpuCredits?: string): number {
  return unlimitedCredits(instanceType, cpuCredits)
    ? Math.min(DEFAULT_CPU_TARGET_PERCENT, BURSTABLE_TYPES[instanceType].baselinePercent)
    : DEFAULT_CPU_TARGET_PERCENT;
}
