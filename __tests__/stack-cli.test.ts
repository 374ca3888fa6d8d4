/** npm run diff|deploy|destroy (tools/stack/cli.ts): names mapped to stacks before cdktf runs. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ConfigError } from '../src/environment/resolve';
import { DEFAULT_ENVIRONMENTS, ENVIRONMENTS } from '../src/environments';
import { environmentStackName, REGISTRY_STACK_NAME } from '../src/shared/names';
import { invocation, StackError } from '../tools/stack/cli';
import { UNKNOWN_ENVIRONMENT } from './support/fixtures';

const ROOT = resolve(__dirname, '..');
const known = Object.keys(ENVIRONMENTS);
const outside = known.find((e) => !DEFAULT_ENVIRONMENTS.includes(e));
const [first] = DEFAULT_ENVIRONMENTS;

describe('invocation', () => {
  test.each(['diff', 'deploy', 'destroy'])('%s: an environment and its stack name both reach cdktf as the stack name', (command) => {
    expect(invocation([command, first], {})).toEqual({ args: [command, environmentStackName(first)], env: {} });
    expect(invocation([command, environmentStackName(first)], {})).toEqual({ args: [command, environmentStackName(first)], env: {} });
  });

  test('several names, the registry, and cdktf options (with their values) after the stacks', () => {
    expect(invocation(['deploy', '--var-file', 'x.tfvars', REGISTRY_STACK_NAME, first, '--auto-approve'], {})).toEqual({
      args: ['deploy', REGISTRY_STACK_NAME, environmentStackName(first), '--var-file', 'x.tfvars', '--auto-approve'],
      env: {},
    });
  });

  (outside ? test : test.skip)('an environment outside the defaults is built beside them (HOST_NAME_ENVS)', () => {
    expect(invocation(['deploy', outside!], {})).toEqual({
      args: ['deploy', environmentStackName(outside!)],
      env: { HOST_NAME_ENVS: [...DEFAULT_ENVIRONMENTS, outside].join(',') },
    });
    // Already built: HOST_NAME_ENVS stays as the user set it.
    expect(invocation(['deploy', outside!], { HOST_NAME_ENVS: environmentStackName(outside!) })).toEqual({
      args: ['deploy', environmentStackName(outside!)],
      env: {},
    });
  });

  test('help', () => {
    expect(invocation(['diff', '--help'], {})).toBe('help');
  });

  test.each([
    [['deploy'], StackError, /^name what to deploy: one or more of .*host-name-registry; usage: npm run deploy -- /],
    [['destroy', first, '--var-file'], StackError, /^--var-file needs a value; usage: npm run destroy -- /],
    [
      ['deploy', UNKNOWN_ENVIRONMENT],
      ConfigError,
      new RegExp(
        `^environment "${UNKNOWN_ENVIRONMENT}": name = "${UNKNOWN_ENVIRONMENT}" is not allowed; expected an environment or a stack: one of `,
      ),
    ],
  ] as const)('%j: one clear error', (argv, type, message) => {
    expect(() => invocation(argv, {})).toThrow(type);
    expect(() => invocation(argv, {})).toThrow(message);
  });

  test('the unknown-name error lists every allowed name', () => {
    for (const name of [...known, ...known.map(environmentStackName), REGISTRY_STACK_NAME]) {
      expect(() => invocation(['diff', UNKNOWN_ENVIRONMENT], {})).toThrow(name);
    }
  });
});

test('the real command: one line on stderr, exit 2, no stack trace, cdktf never started', () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOST_NAME_')));
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'tools/stack/cli.ts', 'deploy', UNKNOWN_ENVIRONMENT], {
    cwd: ROOT,
    encoding: 'utf8',
    env,
  });
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(
    new RegExp(
      `^error: environment "${UNKNOWN_ENVIRONMENT}": name = "${UNKNOWN_ENVIRONMENT}" is not allowed; expected an environment or a stack: one of [^\\n]*\\n$`,
    ),
  );
});
