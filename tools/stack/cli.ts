/**
 * npm run diff|deploy|destroy -- <name>... [cdktf options]: `cdktf diff|deploy|destroy` with the stacks
 * the names mean (an environment's name or its stack's; src/environment/stacks.ts). The app builds the
 * environments named beside those it builds anyway (HOST_NAME_ENVS, else the defaults), so an
 * environment outside the defaults needs no HOST_NAME_ENVS. Bad input: one line on stderr, exit 2,
 * before cdktf starts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../src/environment/resolve';
import { overridesFromEnv, requestedEnvironments } from '../../src/environment/select';
import { allowedNames, resolveNames } from '../../src/environment/stacks';

const ROOT = resolve(__dirname, '..', '..');
const CDKTF = join(ROOT, 'node_modules', '.bin', 'cdktf');

export const COMMANDS = ['diff', 'deploy', 'destroy'] as const;
export type Command = (typeof COMMANDS)[number];

export const usage = (command: string) =>
  `usage: npm run ${command} -- <environment or stack>... [cdktf ${command} options${command === 'diff' ? '' : ', e.g. --auto-approve'}]`;

/** cdktf options that take a value: the word after one is not a name. */
const VALUE_OPTIONS = new Set([
  '-a',
  '--app',
  '-o',
  '--output',
  '--outputs-file',
  '--parallelism',
  '--terraform-parallelism',
  '--var',
  '--var-file',
  '--experimental-provider-schema-cache-path',
]);

/** Bad input that is not an environment's setting: a missing name, an option without its value. */
export class StackError extends Error {}

export interface Invocation {
  /** cdktf's arguments: the command, the stack names, then the options as given. */
  readonly args: string[];
  /** Set when the app must build more than it would (HOST_NAME_ENVS). */
  readonly env: Record<string, string>;
}

/** What to run for a command line (`argv[0]` is the command); StackError or ConfigError on bad input. */
export function invocation(argv: readonly string[], env: NodeJS.ProcessEnv): Invocation | 'help' {
  const [command, ...rest] = argv;
  if (!(COMMANDS as readonly string[]).includes(command))
    throw new StackError(`unknown command "${command}"; one of ${COMMANDS.join(', ')}`);
  const names: string[] = [];
  const options: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (!arg.startsWith('-')) {
      if (arg.trim() !== '') names.push(arg);
      continue;
    }
    options.push(arg);
    if (VALUE_OPTIONS.has(arg)) {
      if (rest[i + 1] === undefined) throw new StackError(`${arg} needs a value; ${usage(command)}`);
      options.push(rest[++i]);
    }
  }
  const overrides = overridesFromEnv(env);
  // What the app builds when run as cdktf runs it: HOST_NAME_ENVS, else the defaults.
  const building = resolveNames(requestedEnvironments([], env), overrides).configs.map((c) => c.name);
  if (names.length === 0) {
    const { configs } = resolveNames([], overrides, building);
    throw new StackError(`name what to ${command}: one or more of ${allowedNames(configs).join(', ')}; ${usage(command)}`);
  }
  const { stacks, configs } = resolveNames(names, overrides, building);
  const built = configs.map((c) => c.name);
  return {
    args: [command, ...stacks, ...options],
    env: built.length === building.length ? {} : { HOST_NAME_ENVS: built.join(',') },
  };
}

/** Runs cdktf with `inv`; its exit code. */
function runCdktf(inv: Invocation): number {
  if (!existsSync(CDKTF)) throw new StackError(`${CDKTF} not found: run npm ci`);
  const extra = Object.entries(inv.env).map(([k, v]) => `${k}=${v} `);
  process.stdout.write(`${extra.join('')}cdktf ${inv.args.join(' ')}\n`);
  const r = spawnSync(CDKTF, inv.args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...inv.env } });
  if (r.error) throw new StackError(`cannot run cdktf: ${r.error.message}`);
  return r.status ?? 1;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  try {
    const inv = invocation(argv, process.env);
    if (inv === 'help') {
      process.stdout.write(`${usage(argv[0])}\n`);
    } else {
      process.exit(runCdktf(inv));
    }
  } catch (error) {
    if (!(error instanceof StackError || error instanceof ConfigError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(2);
  }
}
