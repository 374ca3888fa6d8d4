/**
 * One step of `npm run bench:fleet`, as its own process so that it is timed whole:
 *   tsx bench/fleet-synth.ts synth <services> <outdir>   the generated environment's stack, as main.ts writes one
 *   tsx bench/fleet-synth.ts policy <outdir>             every policy rule over that stack's JSON
 */
import { App } from 'cdktf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addEnvironmentStacks } from '../src/app';
import { selectEnvironments } from '../src/environment/select';
import { environmentStackName } from '../src/shared/names';
import { fleetEnvironment } from '../harness/fleet';
import { RULES } from '../__tests__/policy/rules';

export const FLEET = 'fleet';

const [step, ...args] = process.argv.slice(2);
if (step === 'synth') {
  const [count, outdir] = args;
  const configs = selectEnvironments([FLEET], {}, { [FLEET]: fleetEnvironment(Number(count)) });
  const app = new App({ outdir });
  addEnvironmentStacks(app, configs);
  app.synth();
} else if (step === 'policy') {
  const json = JSON.parse(readFileSync(join(args[0], 'stacks', environmentStackName(FLEET), 'cdk.tf.json'), 'utf8'));
  const violations = RULES.flatMap((rule) => rule.check(json));
  if (violations.length > 0) throw new Error(`${violations.length} policy violations`);
} else {
  process.stderr.write('usage: tsx bench/fleet-synth.ts synth <services> <outdir> | policy <outdir>\n');
  process.exit(2);
}
