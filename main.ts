import { App } from 'cdktf';
import { addEnvironmentStacks, addRegistryStack, addStateBootstrapStacks, registryEnvironments } from './src/app';
import { exitOnConfigError } from './src/environment/resolve';
import { overridesFromEnv, requestedEnvironments, selectEnvironments } from './src/environment/select';

exitOnConfigError(() => {
  // Every environment is validated before the first stack exists, so bad input writes nothing.
  const configs = selectEnvironments(requestedEnvironments(process.argv.slice(2), process.env), overridesFromEnv(process.env));
  const registry = registryEnvironments();
  const app = new App();
  addEnvironmentStacks(app, configs);
  addStateBootstrapStacks(app, configs, process.env.HOST_NAME_GITHUB_REPOSITORY || undefined);
  addRegistryStack(app, registry);
  app.synth();
});
