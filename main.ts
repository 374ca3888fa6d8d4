import { App, TerraformStack } from 'cdktf';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { addEnvironmentStacks, addRegistryStack, addStateBootstrapStacks, registryEnvironments } from './src/app';
import { exitOnConfigError } from './src/environment/resolve';
import { overridesFromEnv, requestedEnvironments } from './src/environment/select';
import { resolveNames } from './src/environment/stacks';

exitOnConfigError(() => {
  // Every environment is validated before the first stack exists, so bad input writes nothing.
  const { configs } = resolveNames(requestedEnvironments(process.argv.slice(2), process.env), overridesFromEnv(process.env));
  const registry = registryEnvironments();
  const app = new App();
  addEnvironmentStacks(app, configs);
  addStateBootstrapStacks(app, configs, process.env.HOST_NAME_GITHUB_REPOSITORY || undefined);
  addRegistryStack(app, registry);
  app.synth();
  report(app);
});

/** Says what was written, and removes the stacks an earlier run wrote that this one did not (cost and export read every stack there). */
function report(app: App): void {
  const written = app.node.children.filter((c) => c instanceof TerraformStack).map((s) => s.node.id);
  const stacksDir = join(app.outdir, 'stacks');
  const stale = existsSync(stacksDir)
    ? readdirSync(stacksDir)
        .filter((name) => !written.includes(name))
        .sort()
    : [];
  for (const name of stale) rmSync(join(stacksDir, name), { recursive: true, force: true });
  const rel = relative(process.cwd(), stacksDir);
  const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? stacksDir : rel;
  console.log(`synth: wrote ${written.join(', ')} to ${join(shown, '<stack>', 'cdk.tf.json')}`);
  if (stale.length > 0) console.log(`synth: removed ${stale.join(', ')} from ${shown} (not written by this run)`);
}
