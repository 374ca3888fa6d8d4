/**
 * What ECS can place on each instance type this product knows how to size.
 *
 * `registeredMemoryMiB` is the memory the ECS agent registers for the instance: MemTotal of the
 * ECS-optimized AMI, which is below the advertised size because of kernel and platform overhead.
 * Source: "Reserving Amazon ECS Linux container instance memory",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html
 * (its worked example: an m4.large with 8 GiB installed registers 7985 MiB). AWS publishes no
 * per-type table, so the figures below are MemTotal as reported by Amazon Linux 2023 ECS-optimized
 * instances, rounded down; they err low so a task that passes here also places in AWS.
 * vCPU counts are from the EC2 instance type pages (1 vCPU = 1024 ECS cpu units).
 */
export interface InstanceTypeSpec {
  readonly vcpus: number;
  readonly registeredMemoryMiB: number;
  readonly architecture: 'x86_64' | 'arm64';
}

export const INSTANCE_TYPES: Readonly<Record<string, InstanceTypeSpec>> = {
  't2.micro': { vcpus: 1, registeredMemoryMiB: 982, architecture: 'x86_64' },
  't2.small': { vcpus: 1, registeredMemoryMiB: 1993, architecture: 'x86_64' },
  't2.medium': { vcpus: 2, registeredMemoryMiB: 3943, architecture: 'x86_64' },
  't2.large': { vcpus: 2, registeredMemoryMiB: 7975, architecture: 'x86_64' },
  't3.micro': { vcpus: 2, registeredMemoryMiB: 943, architecture: 'x86_64' },
  't3.small': { vcpus: 2, registeredMemoryMiB: 1939, architecture: 'x86_64' },
  't3.medium': { vcpus: 2, registeredMemoryMiB: 3884, architecture: 'x86_64' },
  't3.large': { vcpus: 2, registeredMemoryMiB: 7844, architecture: 'x86_64' },
  't3a.micro': { vcpus: 2, registeredMemoryMiB: 943, architecture: 'x86_64' },
  't3a.small': { vcpus: 2, registeredMemoryMiB: 1939, architecture: 'x86_64' },
  't3a.medium': { vcpus: 2, registeredMemoryMiB: 3884, architecture: 'x86_64' },
  't3a.large': { vcpus: 2, registeredMemoryMiB: 7844, architecture: 'x86_64' },
  't4g.micro': { vcpus: 2, registeredMemoryMiB: 926, architecture: 'arm64' },
  't4g.small': { vcpus: 2, registeredMemoryMiB: 1904, architecture: 'arm64' },
  't4g.medium': { vcpus: 2, registeredMemoryMiB: 3854, architecture: 'arm64' },
  't4g.large': { vcpus: 2, registeredMemoryMiB: 7810, architecture: 'arm64' },
  'm6i.large': { vcpus: 2, registeredMemoryMiB: 7693, architecture: 'x86_64' },
  'm7g.large': { vcpus: 2, registeredMemoryMiB: 7643, architecture: 'arm64' },
};

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
  ...Object.fromEntries(
    ['t3', 't3a', 't4g'].flatMap((family) => [
      [`${family}.nano`, burstable(2, 5, 'unlimited')],
      [`${family}.micro`, burstable(2, 10, 'unlimited')],
      [`${family}.small`, burstable(2, 20, 'unlimited')],
      [`${family}.medium`, burstable(2, 20, 'unlimited')],
      [`${family}.large`, burstable(2, 30, 'unlimited')],
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
