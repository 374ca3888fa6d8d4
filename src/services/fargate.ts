/**
 * What Fargate allows a task: its sizes, its capacity providers and Fargate Spot's interruption
 * warning. Data and checks only; LoadBalancedService builds the task definition and service from them.
 */
import { Architecture } from '../compute/instance-types';
import { RunsOn } from './settings';
import { Validator } from '../shared/validator';

/** Fargate's own capacity providers, by `runsOn`; every cluster may use them once it lists them. */
export const FARGATE_CAPACITY_PROVIDERS = { fargate: 'FARGATE', 'fargate-spot': 'FARGATE_SPOT' } as const;

export type FargateRunsOn = keyof typeof FARGATE_CAPACITY_PROVIDERS;
export type FargateCapacityProvider = (typeof FARGATE_CAPACITY_PROVIDERS)[FargateRunsOn];

export const isFargate = (runsOn: RunsOn): runsOn is FargateRunsOn => runsOn !== 'ec2';

/** Fargate Spot stops a task two minutes after its interruption warning (SIGTERM with the warning). */
export const SPOT_WARNING_SECONDS = 120;

/** ECS's runtime_platform.cpu_architecture for an image architecture. */
export const FARGATE_CPU_ARCHITECTURE: Readonly<Record<Architecture, 'X86_64' | 'ARM64'>> = { x86_64: 'X86_64', arm64: 'ARM64' };

const range = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

/**
 * Task cpu units -> the memory (MiB) Fargate accepts with it, Linux
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size).
 */
export const FARGATE_TASK_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

/** `1024-4096 in steps of 1024`, or the values listed when there are few. */
function describeMemory(values: readonly number[]): string {
  if (values.length <= 3) return values.join(', ');
  return `${values[0]}-${values[values.length - 1]} in steps of ${values[1] - values[0]}`;
}

/** The task's size is the container's: cpu and memoryMiB must be one of Fargate's combinations. */
export function checkFargateSize(v: Validator, at: string, cpu: number, memoryMiB: number): void {
  const cpus = Object.keys(FARGATE_TASK_SIZES).map(Number);
  v.check(`${at}.container.cpu`, cpu, cpus.includes(cpu), `one of Fargate's task cpu values: ${cpus.join(', ')}`);
  const memory = FARGATE_TASK_SIZES[cpu];
  v.check(
    `${at}.container.memoryMiB`,
    memoryMiB,
    memory.includes(memoryMiB),
    `a memory Fargate allows with container.cpu ${cpu}: ${describeMemory(memory)} MiB`,
  );
}

/**
 * Spot gives 120 s from its warning (Fargate Spot stops the task, EC2 reclaims the instance): the
 * target group must drain the task and the container stop within that, or requests in flight are cut.
 */
export function checkInterruptionBudget(
  v: Validator,
  at: string,
  spot: 'Fargate Spot' | 'EC2 Spot',
  deregistrationDelaySeconds: number,
  stopTimeoutSeconds: number,
): void {
  v.check(
    `${at}.targetGroup.deregistrationDelaySeconds`,
    deregistrationDelaySeconds,
    deregistrationDelaySeconds + stopTimeoutSeconds <= SPOT_WARNING_SECONDS,
    `at most ${SPOT_WARNING_SECONDS - stopTimeoutSeconds}: with stopTimeoutSeconds ${stopTimeoutSeconds}, within ${spot}'s ${SPOT_WARNING_SECONDS} s warning`,
  );
}
