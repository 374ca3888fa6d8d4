/**
 * `npm run release -- deploy <env> <service>`: rolls a blue-green service out through CodeDeploy.
 * `terraform apply` registered the task definition (from the synthesized container definitions) and
 * left the service alone; this reads the synthesized stack for what CodeDeploy must know (application,
 * deployment group, container name and port, capacity provider strategy, task family), builds the
 * AppSpec from it, creates the deployment and waits: exit 0 when it succeeded, 1 when it failed, was
 * stopped (an alarm, a timed-out approval) or rolled back, or did not finish in time.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodeDeployClient, CreateDeploymentCommand, DeploymentInfo, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { EnvironmentConfig, TRAFFIC_SHIFTS } from '../../src/environment/config';
import { ConfigError } from '../../src/environment/resolve';
import { environmentStackName } from '../../src/shared/names';
import { Clock, DeploymentFailed, OpsError, poll } from '../ops/aws';

export const DEPLOY_POLL_MS = 15_000;

/** Minutes a deployment may take beyond its configured waits: the replacement tasks starting and turning healthy. */
export const DEPLOY_SLACK_MINUTES = 15;

/** Where `npm run synth` writes an environment's stack. */
export const stackDirectory = (environment: string) => join('cdktf.out', 'stacks', environmentStackName(environment));

/** Synthesized Terraform JSON, as far as this reads it. */
type StackJson = { resource?: Record<string, Record<string, any>> };

/** What CodeDeploy needs to deploy one blue-green service, read from its synthesized stack. */
export interface BlueGreenTarget {
  readonly service: string;
  readonly cluster: string;
  readonly application: string;
  readonly deploymentGroup: string;
  readonly family: string;
  readonly containerName: string;
  readonly containerPort: number;
  readonly capacityProviderStrategy: readonly { readonly CapacityProvider: string; readonly Weight: number; readonly Base: number }[];
  /** The container's image as synthesized, when it is a literal (an image by URI). */
  readonly image?: string;
}

export interface DeployOptions {
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly progress: (line: string) => void;
  /** Deploy this registered task definition instead of the family's latest revision. */
  readonly taskDefinition?: string;
}

export interface DeployClients {
  readonly codedeploy: CodeDeployClient;
  readonly ecs: ECSClient;
}

export function deployClients(region: string): DeployClients {
  return { codedeploy: new CodeDeployClient({ region }), ecs: new ECSClient({ region }) };
}

/** The blue-green services of an environment, in name order. */
export const blueGreenServices = (config: EnvironmentConfig) => config.services.filter((s) => s.deployment.blueGreen).map((s) => s.name);

/** The environment's synthesized stack; a ConfigError (one line, exit 2) when it was not synthesized. */
export function readStack(config: EnvironmentConfig, directory = stackDirectory(config.name)): StackJson {
  const file = join(directory, 'cdk.tf.json');
  if (!existsSync(file))
    throw new ConfigError(config.name, 'stack', file, `a synthesized stack: run npm run synth -- ${config.name} first`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The one resource of `type` a `${type.id.attr}` reference names. */
function referenced(stack: StackJson, type: string, value: unknown): Record<string, any> | undefined {
  const m = new RegExp(`^\\$\\{${type}\\.([A-Za-z0-9_-]+)\\.[a-z_]+\\}$`).exec(String(value));
  return m ? stack.resource?.[type]?.[m[1]] : undefined;
}

/** A literal attribute, or the literal `attribute` of the resource it references; undefined otherwise. */
function literal(stack: StackJson, type: string, value: unknown, attribute: string): string | undefined {
  if (typeof value === 'string' && !value.includes('${')) return value;
  const target = referenced(stack, type, value)?.[attribute];
  return typeof target === 'string' && !target.includes('${') ? target : undefined;
}

/** Reads the service's ECS service, task definition and deployment group from the stack. */
export function readBlueGreenTarget(stack: StackJson, config: EnvironmentConfig, service: string): BlueGreenTarget {
  const names = blueGreenServices(config);
  if (!names.includes(service)) {
    const allowed =
      names.length > 0
        ? `a blue-green service of ${config.name}: one of ${names.join(', ')}`
        : `a blue-green service; ${config.name} has none`;
    throw new ConfigError(config.name, 'service', service, allowed);
  }
  const resources = stack.resource ?? {};
  const [address, ecs] =
    Object.entries(resources.aws_ecs_service ?? {}).find(
      ([, s]) => s.name === service && s.deployment_controller?.type === 'CODE_DEPLOY',
    ) ?? [];
  const group = Object.values(resources.aws_codedeploy_deployment_group ?? {}).find(
    (g) => address !== undefined && String(g.ecs_service?.service_name).startsWith(`\${aws_ecs_service.${address}.`),
  );
  const stale = `a stack synthesized from this code: npm run synth -- ${config.name}`;
  if (!ecs || !group) throw new ConfigError(config.name, 'stack', `${service} without a CODE_DEPLOY service and deployment group`, stale);
  const task = referenced(stack, 'aws_ecs_task_definition', ecs.task_definition);
  const [lb] = ecs.load_balancer ?? [];
  const containers: { name: string; image?: string }[] = task ? JSON.parse(task.container_definitions) : [];
  const image = containers.find((c) => c.name === lb?.container_name)?.image;
  const target = {
    service,
    cluster: literal(stack, 'aws_ecs_cluster', group.ecs_service.cluster_name, 'name'),
    application: literal(stack, 'aws_codedeploy_app', group.app_name, 'name'),
    deploymentGroup: literal(stack, 'aws_codedeploy_deployment_group', group.deployment_group_name, 'deployment_group_name'),
    family: literal(stack, 'aws_ecs_task_definition', task?.family, 'family'),
    containerName: lb?.container_name,
    containerPort: lb?.container_port,
    capacityProviderStrategy: (ecs.capacity_provider_strategy ?? []).map((s: Record<string, unknown>) => ({
      CapacityProvider: literal(stack, 'aws_ecs_capacity_provider', s.capacity_provider, 'name'),
      Weight: Number(s.weight ?? 0),
      Base: Number(s.base ?? 0),
    })),
    ...(typeof image === 'string' && !image.includes('${') ? { image } : {}),
  };
  const unread = Object.entries(target).filter(([, v]) => v === undefined || (Array.isArray(v) && v.some((s) => !s.CapacityProvider)));
  if (unread.length > 0) throw new ConfigError(config.name, 'stack', `${service}: no literal ${unread.map(([k]) => k).join(', ')}`, stale);
  return target as BlueGreenTarget;
}

/** The AppSpec CodeDeploy deploys an ECS service by: the task definition, the container behind the load balancer, the capacity providers. */
export function appSpec(target: BlueGreenTarget, taskDefinitionArn: string): string {
  const resources = JSON.stringify({
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: taskDefinitionArn,
            LoadBalancerInfo: { ContainerName: target.containerName, ContainerPort: target.containerPort },
            CapacityProviderStrategy: target.capacityProviderStrategy,
          },
        },
      },
    ],
  });
  // The AppSpec's version is written 0.0, as the AppSpec reference has it (JSON.stringify would write 0).
  return `{"version":0.0,${resources.slice(1)}`;
}

/** The longest a deployment of this service should take: its approval wait, the traffic shift, the blue termination wait, and slack. */
export function deployTimeoutMinutes(config: EnvironmentConfig, service: string): number {
  const s = config.services.find((x) => x.name === service);
  const bg = s?.deployment.blueGreen;
  if (!bg) return DEPLOY_SLACK_MINUTES;
  return (bg.approvalWaitMinutes ?? 0) + TRAFFIC_SHIFTS[bg.trafficShift].minutes + bg.blueTerminationWaitMinutes + DEPLOY_SLACK_MINUTES;
}

const revision = (arn: string | undefined) => (arn ?? '?').split('/').pop()!;

/** The task definition to deploy: the one given, or the family's latest revision (what apply registered), checked against the stack's image. */
async function taskDefinitionToDeploy(
  c: DeployClients,
  config: EnvironmentConfig,
  target: BlueGreenTarget,
  given?: string,
): Promise<string> {
  const found = (await c.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: given ?? target.family }))).taskDefinition;
  if (!found?.taskDefinitionArn)
    throw new OpsError(`no task definition ${given ?? target.family}: apply ${config.name} first (npm run deploy -- ${config.name})`);
  const image = found.containerDefinitions?.find((d) => d.name === target.containerName)?.image;
  if (given === undefined && target.image !== undefined && image !== target.image) {
    throw new OpsError(
      `${target.service}: ${revision(found.taskDefinitionArn)} runs ${image ?? 'no such container'}, the synthesized stack ${target.image}: apply ${config.name} first`,
    );
  }
  return found.taskDefinitionArn;
}

/** Deploys `target` and waits for CodeDeploy's verdict. */
export async function deployBlueGreen(
  c: DeployClients,
  config: EnvironmentConfig,
  target: BlueGreenTarget,
  o: DeployOptions,
): Promise<void> {
  const taskDefinition = await taskDefinitionToDeploy(c, config, target, o.taskDefinition);
  const current = (await c.ecs.send(new DescribeServicesCommand({ cluster: target.cluster, services: [target.service] }))).services?.[0];
  if (!current || current.status !== 'ACTIVE')
    throw new OpsError(`service "${target.service}" of environment "${config.name}" is not deployed`);
  const serving = current.taskSets?.find((t) => t.status === 'PRIMARY')?.taskDefinition ?? current.taskDefinition;
  if (serving === taskDefinition) {
    o.progress(`${target.service} already runs ${revision(taskDefinition)}: nothing to deploy`);
    return;
  }
  const content = appSpec(target, taskDefinition);
  const { deploymentId } = await c.codedeploy.send(
    new CreateDeploymentCommand({
      applicationName: target.application,
      deploymentGroupName: target.deploymentGroup,
      revision: {
        revisionType: 'AppSpecContent',
        appSpecContent: { content, sha256: createHash('sha256').update(content).digest('hex') },
      },
      description: `npm run release -- deploy ${config.name} ${target.service}: ${revision(serving)} -> ${revision(taskDefinition)}`,
    }),
  );
  o.progress(`${target.service}: deployment ${deploymentId} of ${revision(taskDefinition)} (was ${revision(serving)}) created`);
  await waitForDeployment(c, target.service, deploymentId!, o);
}

/** Polls the deployment until CodeDeploy ends it; DeploymentFailed unless it Succeeded. */
export async function waitForDeployment(
  c: DeployClients,
  service: string,
  deploymentId: string,
  o: DeployOptions,
): Promise<DeploymentInfo> {
  const start = o.clock.now();
  let last: string | undefined;
  return poll(
    o.clock,
    o.timeoutMs,
    DEPLOY_POLL_MS,
    async () => {
      const info = (await c.codedeploy.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo ?? {};
      const status = info.status ?? 'Unknown';
      if (status !== last) {
        last = status;
        o.progress(
          `${service}: deployment ${deploymentId} ${status}${status === 'Ready' ? approvalHint(deploymentId) : ''} (${Math.round((o.clock.now() - start) / 1000)} s)`,
        );
      }
      if (status === 'Succeeded') return info;
      if (status === 'Failed' || status === 'Stopped') throw new DeploymentFailed(verdict(service, deploymentId, info));
      return undefined;
    },
    () =>
      `timed out after ${Math.round(o.timeoutMs / 60_000)} min: ${service}'s deployment ${deploymentId} is still ${last ?? 'unknown'} (aws deploy get-deployment --deployment-id ${deploymentId})`,
  );
}

const approvalHint = (id: string) =>
  `: the replacement is up behind the test listener; approve with aws deploy continue-deployment --deployment-id ${id} --deployment-wait-type READY_WAIT`;

/** One line: what ended the deployment, and the rollback CodeDeploy started. */
function verdict(service: string, id: string, info: DeploymentInfo): string {
  const error = info.errorInformation?.code ? ` (${info.errorInformation.code}: ${info.errorInformation.message ?? ''})` : '';
  const rollback = info.rollbackInfo?.rollbackDeploymentId
    ? `; CodeDeploy rolled it back in deployment ${info.rollbackInfo.rollbackDeploymentId}, traffic on the original task set`
    : info.rollbackInfo?.rollbackMessage
      ? `; ${info.rollbackInfo.rollbackMessage}`
      : '';
  return `${service}: deployment ${id} ${info.status}${error}${rollback}`;
}
