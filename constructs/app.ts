import { App } from 'cdktf';
import { EnvironmentConfig } from './config';
import { HostNameStack, HostNameStackProps } from './host-name-stack';

/** Stack names are part of the interface (`cdktf deploy host-name-dev`): keep them stable. */
export function stackName(environment: string): string {
  return `host-name-${environment}`;
}

/** One HostNameStack per environment; main.ts and the tests build the app the same way. */
export function addEnvironmentStacks(
  app: App,
  configs: readonly EnvironmentConfig[],
  props: Omit<HostNameStackProps, 'config'> = {},
): HostNameStack[] {
  return configs.map((config) => new HostNameStack(app, stackName(config.name), { ...props, config }));
}
