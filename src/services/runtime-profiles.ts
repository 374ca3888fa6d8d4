/**
 * Runtime profiles: what the platform adds for a kind of app, resolved into the service config
 * (environment/resolve.ts), so the service construct stays free of anything app-specific.
 */
import { ContainerHealthCheck, RuntimeProfile } from './settings';

export interface RuntimeProfileDefaults {
  /** Environment variables for a container of this size, before the configured ones. */
  environment(container: { port: number; memoryMiB: number; cpu: number }): Record<string, string>;
  /** Container health check when the service configures none. */
  readonly healthCheck?: ContainerHealthCheck;
  /** Target group health check path when the service configures none. */
  readonly healthCheckPath: string;
  /** How long the app keeps an idle connection open; the ALB's idle timeout must stay below it. @default unknown: not checked */
  readonly keepAliveSeconds?: number;
}

/**
 * workload/'s `server.tomcat.keep-alive-timeout` (application.properties; a test reads the file and
 * compares). The ALB's idle timeout must stay below it.
 */
export const SPRING_BOOT_KEEP_ALIVE_SECONDS = 75;

/** Where the workload image keeps its container health check (see workload/Dockerfile). */
export const HEALTHCHECK_COMMAND = ['CMD', '/usr/local/bin/healthcheck'];

/** Interval, timeout, retries and start period of a container health check when only a command is given. */
export const CONTAINER_HEALTH_CHECK_TIMING = { intervalSeconds: 15, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 60 } as const;

/**
 * JVM flags sized to the container: an explicit heap of 60% of the hard limit leaves room for
 * metaspace, code cache and thread stacks; the processor count follows the cpu units, because
 * bridge-mode cpu shares don't limit what the JVM sees.
 */
export function jvmOptions(memoryMiB: number, cpu: number): string {
  return [
    `-Xmx${Math.floor(memoryMiB * 0.6)}m`,
    '-Xss512k',
    '-XX:+UseSerialGC',
    '-XX:+ExitOnOutOfMemoryError',
    `-XX:ActiveProcessorCount=${Math.max(1, Math.ceil(cpu / 1024))}`,
  ].join(' ');
}

export const RUNTIME_PROFILE_DEFAULTS: Readonly<Record<RuntimeProfile, RuntimeProfileDefaults>> = {
  'spring-boot': {
    environment: ({ port, memoryMiB, cpu }) => ({ SERVER_PORT: String(port), JAVA_TOOL_OPTIONS: jvmOptions(memoryMiB, cpu) }),
    healthCheck: { command: HEALTHCHECK_COMMAND, ...CONTAINER_HEALTH_CHECK_TIMING },
    healthCheckPath: '/actuator/health/readiness',
    keepAliveSeconds: SPRING_BOOT_KEEP_ALIVE_SECONDS,
  },
  generic: {
    environment: () => ({}),
    healthCheckPath: '/health',
  },
};
