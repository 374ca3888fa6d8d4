/**
 * Which stacks a run writes, and what a name typed on a command line means: an environment goes by
 * its name or its stack's (`dev`, `host-name-dev`), the registry and a state bucket's stack by their
 * stack names. Every command (synth, diff, deploy, destroy, cost, export, ops) maps names here.
 */
import { EnvironmentConfig } from './config';
import { ConfigError } from './resolve';
import { Overrides, selectEnvironments } from './select';
import { ENVIRONMENTS } from '../environments';
import { environmentStackName, REGISTRY_STACK_NAME, STATE_STACK_NAME, stateStackName } from '../shared/names';

/** The state bucket stacks of a run: one per bucket, with the environments that use it. */
export function stateStacks(configs: readonly EnvironmentConfig[]): { name: string; users: EnvironmentConfig[] }[] {
  const byBucket = new Map<string, EnvironmentConfig[]>();
  for (const config of configs) {
    if (config.state) byBucket.set(config.state.bucket, [...(byBucket.get(config.state.bucket) ?? []), config]);
  }
  return [...byBucket.values()].map((users) => ({ name: stateStackName(byBucket.size === 1 ? undefined : users[0].name), users }));
}

/** Every stack the app writes when it builds `configs`, in the order it adds them. */
export function appStackNames(configs: readonly EnvironmentConfig[]): string[] {
  return [...configs.map((c) => environmentStackName(c.name)), ...stateStacks(configs).map((s) => s.name), REGISTRY_STACK_NAME];
}

/** The environment `name` means (its own name or its stack's), if any. */
export function environmentOf(name: string): string | undefined {
  return Object.keys(ENVIRONMENTS).find((env) => name === env || name === environmentStackName(env));
}

/** The stacks of a run that are no environment's: the state bucket's, the registry. */
function otherStacks(configs: readonly EnvironmentConfig[]): string[] {
  return appStackNames(configs).filter((s) => environmentOf(s) === undefined);
}

/** Every name a command takes when the run builds `configs`: each environment's two names, then the other stacks'. */
export function allowedNames(configs: readonly EnvironmentConfig[]): string[] {
  const known = Object.keys(ENVIRONMENTS);
  return [...known, ...known.map(environmentStackName), ...otherStacks(configs)];
}

export interface NamedStacks {
  /** The stacks named, in the order given, each once. */
  readonly stacks: string[];
  /** The environments named (by either name), each once. */
  readonly environments: string[];
  /** What the run builds: `building` and the environments named (the defaults when both are empty), validated. */
  readonly configs: EnvironmentConfig[];
}

/**
 * What `names` mean, for a run that builds `building` as well as the environments named. A state
 * bucket's stack exists only for the environments built. Bad input (an unknown name, an environment's
 * bad setting): a ConfigError naming the value and every allowed name.
 */
export function resolveNames(names: readonly string[], overrides: Overrides = {}, building: readonly string[] = []): NamedStacks {
  const environments = [...new Set(names.map(environmentOf).filter((e) => e !== undefined))];
  const configs = selectEnvironments([...new Set([...building, ...environments])], overrides);
  const others = otherStacks(configs);
  const stacks = names.map((name) => {
    const env = environmentOf(name);
    if (env !== undefined) return environmentStackName(env);
    if (others.includes(name)) return name;
    const state =
      name.startsWith(STATE_STACK_NAME) && !others.some((s) => s.startsWith(STATE_STACK_NAME))
        ? ` (${STATE_STACK_NAME} exists when HOST_NAME_STATE_BUCKET or an environment's state.bucket is set)`
        : '';
    throw new ConfigError(name, 'name', name, `an environment or a stack: one of ${allowedNames(configs).join(', ')}${state}`);
  });
  return { stacks: [...new Set(stacks)], environments, configs };
}

/** The environment a name means, for commands that act on one (npm run ops); else a ConfigError listing both kinds of name. */
export function resolveEnvironmentName(name: string): string {
  const env = environmentOf(name);
  if (env !== undefined) return env;
  const known = Object.keys(ENVIRONMENTS);
  throw new ConfigError(name, 'name', name, `an environment: one of ${[...known, ...known.map(environmentStackName)].join(', ')}`);
}
