/** Where a container may write and who it runs as: defaults and validation of those container settings. */
import { CONTAINER_FILESYSTEM_DEFAULTS, ContainerSettings, ServiceConfig, WritablePath } from './settings';
import { NAME, Validator } from '../shared/validator';

/** /tmp is always writable, a task volume: Tomcat's work directory, and where most apps expect scratch space. */
export const TMP_VOLUME = { name: 'tmp', path: '/tmp' } as const;

/**
 * Writable paths of the SSM agent ECS Exec injects: AWS documents ECS Exec as unsupported with a
 * read-only root filesystem because the agent writes its state and logs there. Task volumes on the
 * parent directories (the agent's log directory is itself a bind mount from the host, nested inside)
 * keep the root read-only, the workaround from containers-roadmap#1359.
 */
export const EXEC_WRITABLE_PATHS = { 'ssm-state': '/var/lib/amazon', 'ssm-logs': '/var/log/amazon' } as const;

/** Paths the task definition mounts already (ECS Exec's whenever exec may be turned on). */
const RESERVED_PATHS: readonly string[] = [TMP_VOLUME.path, ...Object.values(EXEC_WRITABLE_PATHS)];

/** Absolute, normalized, not `/`: segments of letters, digits and `._@+-`, none `.` or `..`. */
const ABSOLUTE_PATH = /^(\/(?!\.\.?(\/|$))[A-Za-z0-9._@+-]+)+$/;
/** A user or group name, or a positive id (ECS: a uid or gid must be a positive integer). */
const USER_PART = '(?:[a-z_][a-z0-9_.-]{0,31}|[1-9][0-9]{0,9})';
const USER = new RegExp(`^${USER_PART}(?::${USER_PART})?$`);

type FilesystemConfig = Pick<ServiceConfig['container'], 'readonlyRootFilesystem' | 'writablePaths' | 'user'>;

/** `at` is the service's field prefix (`services.<name>`); `memoryMiB` the resolved hard limit. */
export function resolveFilesystem(v: Validator, at: string, c: ContainerSettings, memoryMiB: number): FilesystemConfig {
  const readonlyRootFilesystem = c.readonlyRootFilesystem ?? CONTAINER_FILESYSTEM_DEFAULTS.readonlyRootFilesystem;
  v.check(`${at}.container.readonlyRootFilesystem`, readonlyRootFilesystem, typeof readonlyRootFilesystem === 'boolean', 'true or false');

  const given = c.writablePaths ?? {};
  const writablePaths: WritablePath[] = [];
  for (const name of Object.keys(given).sort()) {
    const field = `${at}.container.writablePaths.${name}`;
    const { path, sizeMiB = CONTAINER_FILESYSTEM_DEFAULTS.writablePathSizeMiB } = given[name] ?? {};
    v.check(field, name, NAME.test(name) && name.length <= 32, 'a name of 1-32 lowercase letters, digits and inner hyphens');
    v.check(
      `${field}.path`,
      path,
      typeof path === 'string' && ABSOLUTE_PATH.test(path),
      'an absolute normalized path other than /, such as /var/cache/nginx',
    );
    v.check(
      `${field}.path`,
      path,
      !RESERVED_PATHS.includes(path),
      `none of ${RESERVED_PATHS.join(', ')} (task volumes: /tmp, and ECS Exec's)`,
    );
    const other = writablePaths.find((w) => w.path === path);
    v.check(`${field}.path`, path, other === undefined, `a path no other writable path has (writablePaths.${other?.name})`);
    v.check(`${field}.sizeMiB`, sizeMiB, Number.isInteger(sizeMiB) && sizeMiB > 0, 'a positive whole number of MiB');
    writablePaths.push({ name, path, sizeMiB });
  }
  // A tmpfs holds its files in memory charged to the container: full ones add up to an OOM kill.
  const total = writablePaths.reduce((n, w) => n + w.sizeMiB, 0);
  v.check(
    `${at}.container.writablePaths (sizeMiB total)`,
    total,
    total < memoryMiB,
    `below container.memoryMiB (${memoryMiB}): tmpfs files count against the memory limit`,
  );

  const user = c.user;
  if (user !== undefined) {
    v.check(
      `${at}.container.user`,
      user,
      typeof user === 'string' && USER.test(user) && user.split(':')[0] !== 'root',
      'a non-root user: uid, uid:gid, user or user:group (ids positive whole numbers)',
    );
  }
  return { readonlyRootFilesystem, writablePaths, ...(user !== undefined ? { user } : {}) };
}
