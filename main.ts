import { App } from 'cdktf';
import { exitOnConfigError } from './constructs/config-validation';
import { overridesFromEnv, requestedEnvironments, selectEnvironments } from './constructs/environments';
import { HostNameStack } from './constructs/host-name-stack';

exitOnConfigError(() => {
  // Every environment is validated before the first stack exists, so bad input writes nothing.
  const configs = selectEnvironments(requestedEnvironments(process.argv.slice(2), process.env), overridesFromEnv(process.env));
  const app = new App();
  for (const config of configs) new HostNameStack(app, `host-name-${config.name}`, { config });
  app.synth();
});
