import { TerraformResource, Testing } from 'cdktf';
import { addEnvironmentStacks } from '../../src/app';
import { EnvironmentConfig } from '../../src/environment/config';
import { resolveEnvironment } from '../../src/environment/resolve';
import { ENVIRONMENTS } from '../../src/environments';
import { selectEnvironments } from '../../src/environment/select';
import { EnvironmentStack } from '../../src/environment/environment-stack';
import { TEST_CERT } from './fixtures';
import { SynthJson } from './synth';

/** One environment's stack and its synthesized Terraform JSON (cdk.tf.json without "//" metadata). */
export interface SynthesizedStack {
  readonly name: string;
  readonly stack: EnvironmentStack;
  readonly json: SynthJson;
}

/** Every stack main.ts makes (all environments, no overrides: the image is built from workload/). */
export function synthStacks(configs: readonly EnvironmentConfig[] = selectEnvironments([], {})): SynthesizedStack[] {
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

/** Settings main.ts can also produce: HTTPS with a certificate, and Spot capacity. */
export const VARIANTS = {
  cert: () =>
    resolveEnvironment('cert', {
      ...ENVIRONMENTS.dev,
      allowPlainHttp: false,
      loadBalancer: { ...ENVIRONMENTS.dev.loadBalancer, certificateArn: TEST_CERT },
    }),
  spot: () => resolveEnvironment('spot', { ...ENVIRONMENTS.dev, spot: { enabled: true, onDemandBaseCapacity: 1 } }),
};

/** The Terraform address of a construct's resource, as the synthesized JSON names it. */
export function address(resource: TerraformResource): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}
