import { TerraformResource, Testing } from 'cdktf';
import { addEnvironmentStacks } from '../../src/app';
import { EnvironmentConfig } from '../../src/environment/config';
import { ENVIRONMENTS } from '../../src/environments';
import { selectEnvironments } from '../../src/environment/select';
import { EnvironmentStack } from '../../src/environment/environment-stack';
import { DEMO_ENVIRONMENTS, demoConfig, TEST_CERT } from './fixtures';
import { SynthJson } from './synth';

/** One environment's stack and its synthesized Terraform JSON (cdk.tf.json without "//" metadata). */
export interface SynthesizedStack {
  readonly name: string;
  readonly stack: EnvironmentStack;
  readonly json: SynthJson;
}

/**
 * Every environment of src/environments.ts, whatever a team put there: main.ts synthesizes any of
 * them by name. Suites over these assert what every valid environment must have, never the demo's shapes.
 */
export function everyEnvironment(): EnvironmentConfig[] {
  return selectEnvironments(Object.keys(ENVIRONMENTS));
}

/** The stacks main.ts makes for `configs` (no overrides: images built from their directories). */
export function synthStacks(configs: readonly EnvironmentConfig[]): SynthesizedStack[] {
  return addEnvironmentStacks(Testing.app(), configs).map(synthesize);
}

/** A fresh stack for `config`, changed by `mutate` before synthesis: how negative tests break one thing. */
export function synthStack(config: EnvironmentConfig, mutate: (stack: EnvironmentStack) => void = () => {}): SynthesizedStack {
  const [stack] = addEnvironmentStacks(Testing.app(), [config]);
  mutate(stack);
  return synthesize(stack);
}

function synthesize(stack: EnvironmentStack): SynthesizedStack {
  return { name: stack.node.id, stack, json: JSON.parse(Testing.synth(stack)) };
}

/** Settings main.ts can also produce, on the demo's dev: HTTPS with a certificate, and Spot capacity. */
export const VARIANTS = {
  cert: () =>
    demoConfig(
      'dev',
      { allowPlainHttp: false, loadBalancer: { ...DEMO_ENVIRONMENTS.dev.loadBalancer, certificateArn: TEST_CERT } },
      'cert',
    ),
  spot: () => demoConfig('dev', { spot: { enabled: true } }, 'spot'),
};

/** The Terraform address of a construct's resource, as the synthesized JSON names it. */
export function address(resource: TerraformResource): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}
