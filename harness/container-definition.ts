/**
 * A synthesized ECS container definition as the Docker Engine API request the ECS agent makes of it on an EC2
 * instance in bridge mode (`POST /containers/create`). Used by `npm run test:container` (container-run.ts).
 *
 * Every key of the definition is either translated or named as not applicable here (logs, secrets); an unknown
 * key is an error, so a new setting of the construct cannot go untested by the run without anyone noticing.
 */

type Json = any;

export class DefinitionError extends Error {}

/** A task volume the definition mounts: no host path (the only kind the stacks create). */
export interface TaskVolume {
  readonly name: string;
  readonly host_path?: string;
}

export interface CreateRequest {
  /** The body of `POST /containers/create`. */
  readonly body: Json;
  /** What differs from an instance, one line each (logs, secrets). */
  readonly notes: readonly string[];
  /** The container port the load balancer sends to. */
  readonly containerPort: number;
}

const MIB = 1024 * 1024;
const NS = 1e9;
/** ECS's defaults for a health check field left out. */
const HEALTH_CHECK_DEFAULTS = { interval: 30, timeout: 5, retries: 3, startPeriod: 0 } as const;
/** Docker's minimum cpu shares; ECS passes cpu units as shares and raises 0 and 1 to it. */
const MIN_CPU_SHARES = 2;

const TRANSLATED = new Set([
  'name',
  'image',
  'essential',
  'cpu',
  'memory',
  'memoryReservation',
  'portMappings',
  'environment',
  'secrets',
  'logConfiguration',
  'healthCheck',
  'stopTimeout',
  'privileged',
  'readonlyRootFilesystem',
  'mountPoints',
  'linuxParameters',
  'user',
]);

/**
 * `image` replaces the definition's (an ECR URI nothing here can pull). Ports are published on `hostIp` at a
 * port Docker picks, as hostPort 0 does on an instance.
 */
export function createRequest(def: Json, volumes: readonly TaskVolume[], image: string, hostIp = '127.0.0.1'): CreateRequest {
  const unknown = Object.keys(def).filter((k) => !TRANSLATED.has(k));
  if (unknown.length > 0) throw new DefinitionError(`container ${def.name}: ${unknown.join(', ')} not modelled by the harness`);
  if (def.essential === false) throw new DefinitionError(`container ${def.name}: not essential (the harness runs one essential container)`);

  const notes: string[] = [];
  const mappings: Json[] = def.portMappings ?? [];
  if (mappings.length !== 1) throw new DefinitionError(`container ${def.name}: ${mappings.length} port mappings (the harness runs one)`);
  const [mapping] = mappings;
  if ((mapping.protocol ?? 'tcp') !== 'tcp' || (mapping.hostPort ?? 0) !== 0)
    throw new DefinitionError(`container ${def.name}: port mapping ${JSON.stringify(mapping)} (the harness runs tcp with hostPort 0)`);
  const port = `${mapping.containerPort}/tcp`;

  const env = (def.environment ?? []).map((e: Json) => `${e.name}=${e.value}`);
  for (const s of def.secrets ?? []) {
    env.push(`${s.name}=placeholder-for-${s.valueFrom}`);
    notes.push(`secret ${s.name} is a placeholder (its value lives in ${s.valueFrom})`);
  }
  if (def.logConfiguration) notes.push(`logs go to Docker's json-file, not ${def.logConfiguration.logDriver}`);

  const linux: Json = def.linuxParameters ?? {};
  const otherLinux = Object.keys(linux).filter((k) => k !== 'tmpfs');
  if (otherLinux.length > 0)
    throw new DefinitionError(`container ${def.name}: linuxParameters.${otherLinux.join(', ')} not modelled by the harness`);
  // The agent's form: size in MiB, then the mount options.
  const tmpfs = Object.fromEntries(
    (linux.tmpfs ?? []).map((t: Json) => [t.containerPath, [`size=${t.size}m`, ...(t.mountOptions ?? [])].join(',')]),
  );

  // A task volume without a host path is a Docker volume of the task; an anonymous one here, removed with the container.
  const mounts = (def.mountPoints ?? []).map((m: Json) => {
    const volume = volumes.find((v) => v.name === m.sourceVolume);
    if (!volume) throw new DefinitionError(`container ${def.name}: mount point on ${m.sourceVolume}, which is no volume of the task`);
    if (volume.host_path)
      throw new DefinitionError(`container ${def.name}: volume ${volume.name} has a host path (not modelled by the harness)`);
    return { Type: 'volume', Target: m.containerPath, ReadOnly: m.readOnly === true };
  });

  const hc = def.healthCheck;
  const healthcheck = hc
    ? {
        Test: hc.command,
        Interval: (hc.interval ?? HEALTH_CHECK_DEFAULTS.interval) * NS,
        Timeout: (hc.timeout ?? HEALTH_CHECK_DEFAULTS.timeout) * NS,
        Retries: hc.retries ?? HEALTH_CHECK_DEFAULTS.retries,
        StartPeriod: (hc.startPeriod ?? HEALTH_CHECK_DEFAULTS.startPeriod) * NS,
      }
    : undefined;

  const body = {
    Image: image,
    Env: env,
    ...(def.user !== undefined ? { User: def.user } : {}),
    ExposedPorts: { [port]: {} },
    ...(healthcheck ? { Healthcheck: healthcheck } : {}),
    ...(def.stopTimeout !== undefined ? { StopTimeout: def.stopTimeout } : {}),
    HostConfig: {
      PortBindings: { [port]: [{ HostIp: hostIp, HostPort: '' }] },
      // ECS-optimized AMIs have no swap: the hard limit is all the memory a container gets.
      ...(def.memory !== undefined ? { Memory: def.memory * MIB, MemorySwap: def.memory * MIB } : {}),
      ...(def.memoryReservation !== undefined ? { MemoryReservation: def.memoryReservation * MIB } : {}),
      ...(def.cpu !== undefined ? { CpuShares: Math.max(def.cpu, MIN_CPU_SHARES) } : {}),
      Privileged: def.privileged === true,
      ReadonlyRootfs: def.readonlyRootFilesystem === true,
      ...(Object.keys(tmpfs).length > 0 ? { Tmpfs: tmpfs } : {}),
      Mounts: mounts,
    },
  };
  return { body, notes, containerPort: mapping.containerPort };
}
