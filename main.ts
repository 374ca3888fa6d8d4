import { App } from 'cdktf';
import { addEnvironmentStacks, addRegistryStack, addStateBootstrapStacks } from './constructs/app';
import { exitOnConfigError } from './constructs/config-validation';
import { DEFAULT_ENVIRONMENTS, overridesFromEnv, requestedEnvironments, selectEnvironments } from './constructs/environments';

exitOnConfigError(() => {
  // Every environment is validated before the first stack exists, so bad input writes nothing.
  const configs = selectEnvironments(requestedEnvironments(process.argv.slice(2), process.env), overridesFromEnv(process.env));
  // The registry serves the deployed environments as configured (no image override).
  const registry = selectEnvironments(DEFAULT_ENVIRONMENTS);
  const app = new App();
  addEnvironmentStacks(app, configs);
  addStateBootstrapStacks(app, configs, process.env.HOST_NAME_GITHUB_REPOSITORY || undefined);
  addRegistryStack(app, registry);
  app.synth();
});
