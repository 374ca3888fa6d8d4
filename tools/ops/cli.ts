/**
 * npm run ops -- <command> <env> [...]: a deployed environment's health on one screen, and the
 * day-2 operations the tutorials do with a page of AWS CLI calls. Names come from the environment's
 * config (src/shared/names.ts); region from the config; credentials from the SDK's default chain.
 * Bad input, missing credentials, an environment that is not deployed: one line on stderr, exit 2.
 * A deployment that failed, rolled back or timed out (wake, wait): one line on stderr, exit 1.
 */
import { spawnSync } from 'node:child_process';
import { EnvironmentConfig } from '../../src/environment/config';
import { ConfigError } from '../../src/environment/resolve';
import { selectEnvironments } from '../../src/environment/select';
import { resolveEnvironmentName } from '../../src/environment/stacks';
import {
  clients,
  Clients,
  Clock,
  DeploymentFailed,
  namesOf,
  OpsError,
  readStatus,
  realClock,
  redeploy,
  requireService,
  runningTask,
  scale,
} from './aws';
import { renderEvents, renderStatus } from './render';
import { defaultWaitMinutes, waitForDeployments } from './wait';
import { WAKE_TIMEOUT_MINUTES, wake } from './wake';

export const USAGE = `usage: npm run ops -- <command> <env> [args]   (<env>: an environment's name or its stack's, dev or host-name-dev)

commands:
  status <env>                      services (tasks, deployments, targets, last events), instances and capacity, alarms in ALARM
  events <env> <service> [<n>]      the service's last n events (default 20)
  scale <env> <service> <n>         set the desired count within the autoscaling bounds (autoscaling may move it later)
  redeploy <env> <service>          force a new deployment of the current task definition
  exec <env> <service> [<command>]  open a shell (default /bin/sh) in a running task with ECS Exec (needs the AWS CLI and its Session Manager plugin)
  wake <env> [<minutes>]            a scheduled environment off hours: run the schedule's start now (NAT, instances, services) and wait until they run (default ${WAKE_TIMEOUT_MINUTES} min); the next stop still applies
  wait <env> [<minutes>]            after an apply: wait until every service's deployment is COMPLETED; exit 1 on FAILED, a rollback or the timeout (default: the longest deployment.timeoutMinutes)

Region: the environment's (src/environments.ts). Credentials: the AWS SDK's usual chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, ...).`;

export interface Io {
  readonly out: (text: string) => void;
  /** Runs an interactive program (exec); returns its exit code. */
  readonly interactive: (command: string, args: readonly string[]) => number;
}

const COMMANDS = { status: 1, events: 2, scale: 3, redeploy: 2, exec: 2, wake: 1, wait: 1 } as const;
/** Commands that take one more, optional, argument. */
const OPTIONAL: readonly Command[] = ['events', 'exec', 'wake', 'wait'];
type Command = keyof typeof COMMANDS;

/** Checks the words of the command line; OpsError with the usage on a mistake. */
export function parseArgs(argv: readonly string[]): { command: Command | 'help'; args: string[] } {
  const words = argv.filter((a) => a.trim() !== '');
  if (words.length === 0 || words.includes('--help') || words.includes('-h') || words[0] === 'help') return { command: 'help', args: [] };
  const [command, ...args] = words;
  if (!(command in COMMANDS))
    throw new OpsError(`unknown command "${command}"; one of ${Object.keys(COMMANDS).join(', ')} (npm run ops -- --help)`);
  const needed = COMMANDS[command as Command];
  const optional = OPTIONAL.includes(command as Command) ? 1 : 0;
  if (args.length < needed || args.length > needed + optional) {
    const line = USAGE.split('\n')
      .find((l) => l.trimStart().startsWith(`${command} `))!
      .trim()
      .split(/\s{2,}/)[0];
    throw new OpsError(`usage: npm run ops -- ${line}`);
  }
  return { command: command as Command, args };
}

/** A whole number in a range, or an OpsError naming the argument. */
function count(what: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new OpsError(`${what} = ${JSON.stringify(text)}: expected a whole number from ${min} to ${max}`);
  return n;
}

/** An environment by its name or its stack's. */
function environment(name: string): EnvironmentConfig {
  return selectEnvironments([resolveEnvironmentName(name)])[0];
}

export async function run(
  argv: readonly string[],
  io: Io,
  connect: (region: string) => Clients = clients,
  clock: Clock = realClock,
): Promise<number> {
  const { command, args } = parseArgs(argv);
  if (command === 'help') {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const config = environment(args[0]);
  const minutes = (fallback: number) => (args[1] === undefined ? fallback : count('minutes', args[1], 1, 180)) * 60_000;
  const timeoutMs = command === 'wake' ? minutes(WAKE_TIMEOUT_MINUTES) : command === 'wait' ? minutes(defaultWaitMinutes(config)) : 0;
  const c = connect(config.region);
  const progress = (line: string) => io.out(`${line}\n`);
  switch (command) {
    case 'status':
      io.out(renderStatus(await readStatus(c, config)));
      return 0;
    case 'events': {
      const limit = args[2] === undefined ? 20 : count('n', args[2], 1, 100);
      const s = await requireService(c, config, args[1]);
      const events = (s.events ?? []).slice(0, limit).map((e) => ({ at: e.createdAt ?? new Date(0), message: e.message ?? '' }));
      io.out(renderEvents(args[1], events));
      return 0;
    }
    case 'scale': {
      const n = count('n', args[2], 0, 1000);
      const r = await scale(c, config, args[1], n);
      io.out(
        `${args[1]}: desired count ${r.from} -> ${n} (autoscaling keeps it within ${r.min}-${r.max} and may change it after its cooldowns)\n`,
      );
      return 0;
    }
    case 'redeploy':
      await redeploy(c, config, args[1]);
      io.out(`${args[1]}: new deployment started; follow it with npm run ops -- status ${config.name}\n`);
      return 0;
    case 'exec': {
      const task = await runningTask(c, config, args[1]);
      const cli = [
        'ecs',
        'execute-command',
        '--region',
        config.region,
        '--cluster',
        namesOf(config).cluster,
        '--task',
        task,
        '--container',
        args[1],
        '--interactive',
        '--command',
        args[2] ?? '/bin/sh',
      ];
      io.out(`aws ${cli.join(' ')}\n`);
      return io.interactive('aws', cli);
    }
    case 'wake':
      await wake(c, config, { clock, timeoutMs, progress });
      return 0;
    case 'wait':
      await waitForDeployments(c, config, { clock, timeoutMs, progress });
      return 0;
  }
}

/** One line for what the user can fix: bad input, no credentials, not deployed, what AWS refused. */
export function describeFailure(error: unknown): string | undefined {
  if (error instanceof OpsError || error instanceof ConfigError) return error.message;
  const e = error as { name?: string; message?: string; code?: string; $metadata?: unknown };
  if (e?.name === 'CredentialsProviderError') {
    return 'no AWS credentials: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run aws sso login';
  }
  if (e?.$metadata !== undefined) return `AWS refused: ${e.name}: ${e.message}`;
  if (e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND') return `cannot reach AWS: ${e.message}`;
  return undefined;
}

if (require.main === module) {
  // The project runs Node 20 with these SDK versions pinned; the SDK's notice about its releases after
  // January 2027 would otherwise take five lines of every run's stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const io: Io = {
    out: (text) => process.stdout.write(text),
    interactive: (command, args) => {
      const r = spawnSync(command, args, { stdio: 'inherit' });
      if (r.error) throw new OpsError(`cannot run ${command}: ${r.error.message} (install the AWS CLI and the Session Manager plugin)`);
      return r.status ?? 1;
    },
  };
  run(process.argv.slice(2), io).then(
    (code) => process.exit(code),
    (error) => {
      const line = describeFailure(error);
      if (line === undefined) throw error;
      process.stderr.write(`error: ${line}\n`);
      process.exit(error instanceof DeploymentFailed ? 1 : 2);
    },
  );
}
