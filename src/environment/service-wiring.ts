/**
 * Per service: its image, its route on the load balancer, its alarms and its ECS service. Created in
 * the stack's own scope (`image-<name>`, `alarms-<name>`, `service-<name>`), so their addresses are
 * the stack's.
 */
import { Construct } from 'constructs';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { AlarmTopic } from '../operations/alarm-topic';
import { ContainerImage } from '../services/container-image';
import { Ec2Capacity } from '../compute/ec2-capacity';
import { EnvironmentConfig, ServiceConfig } from './config';
import { ExecLogging } from '../operations/exec-logging';
import { dockerPlatform } from '../compute/instance-types';
import { FARGATE_CAPACITY_PROVIDERS, FARGATE_CPU_ARCHITECTURE, isFargate } from '../services/fargate';
import { Network } from '../network/network';
import { LoadBalancedService } from '../services/load-balanced-service';
import { PublicLoadBalancer, ServiceRoute } from '../edge/load-balancer';
import { ServiceAlarms } from '../services/service-alarms';
import { serviceResourceName } from '../services/resolve';
import { blueGreenNames, serviceTargetGroupName } from '../shared/names';

/** What every service runs on and reports to. */
export interface ServicePlatform {
  readonly network: Network;
  readonly loadBalancer: PublicLoadBalancer;
  readonly capacity: Ec2Capacity;
  readonly alarmTopic: AlarmTopic;
  readonly execLogging?: ExecLogging;
}

/** Each in the config's (name) order. */
export interface WiredServices {
  readonly images: readonly ContainerImage[];
  readonly services: readonly LoadBalancedService[];
  readonly alarms: readonly ServiceAlarms[];
}

export function addServices(stack: Construct, config: EnvironmentConfig, platform: ServicePlatform): WiredServices {
  const images = addImages(stack, config);
  const wired = config.services.map((service, i) => addService(stack, config, platform, service, images[i]));
  return { images, services: wired.map((w) => w.service), alarms: wired.map((w) => w.alarms) };
}

function addImages(stack: Construct, config: EnvironmentConfig): ContainerImage[] {
  // One docker provider per stack: the first image that builds makes it, the others share it.
  let dockerProvider: DockerProvider | undefined;
  return config.services.map((service) => {
    const source = service.image;
    const image = new ContainerImage(stack, `image-${service.name}`, {
      repositoryName: source.kind === 'build' ? source.repositoryName : serviceResourceName(config.namePrefix, service.name),
      source:
        source.kind === 'uri' ? source : { kind: 'build', directory: source.directory, platform: dockerPlatform(config.instanceSpec) },
      dockerProvider,
    });
    dockerProvider ??= image.dockerProvider;
    return image;
  });
}

function addService(
  stack: Construct,
  config: EnvironmentConfig,
  platform: ServicePlatform,
  service: ServiceConfig,
  image: ContainerImage,
): { service: LoadBalancedService; alarms: ServiceAlarms } {
  const route = addRoute(config, platform.loadBalancer, service);
  const alarms = addServiceAlarms(stack, config, platform, service, route);
  const { execLogging } = platform;
  const ecsService = new LoadBalancedService(stack, `service-${service.name}`, {
    serviceName: service.name,
    namePrefix: config.namePrefix,
    region: config.region,
    imageUri: image.imageUri,
    capacity: platform.capacity,
    route,
    container: service.container,
    scaling: service.scaling,
    deployment: service.deployment,
    deploymentAlarmNames: alarms.deploymentAlarms.map((a) => a.alarmName),
    logRetentionDays: config.logRetentionDays,
    execCommand: execLogging && { logGroupArn: execLogging.logGroup.arn, kmsKeyArn: execLogging.key.key.arn },
    fargate: fargatePlacement(config, platform, service),
  });
  if (ecsService.taskSecurityGroup) {
    platform.loadBalancer.allowTrafficToTasks(service.name, ecsService.taskSecurityGroup, service.container.port);
  }
  return { service: ecsService, alarms };
}

/** Fargate's providers the services use, in a stable order: the cluster must list them. */
export function fargateCapacityProviders(services: readonly ServiceConfig[]): string[] {
  const used = new Set(services.flatMap((s) => (isFargate(s.runsOn) ? [FARGATE_CAPACITY_PROVIDERS[s.runsOn]] : [])));
  return Object.values(FARGATE_CAPACITY_PROVIDERS).filter((p) => used.has(p));
}

function fargatePlacement(config: EnvironmentConfig, platform: ServicePlatform, service: ServiceConfig) {
  if (!isFargate(service.runsOn)) return undefined;
  return {
    capacityProvider: FARGATE_CAPACITY_PROVIDERS[service.runsOn],
    vpcId: platform.network.vpc.id,
    subnetIds: platform.network.privateSubnets.map((s) => s.subnet.id),
    // The image is built for the instances' architecture (dockerPlatform): Fargate runs it on the same.
    cpuArchitecture: FARGATE_CPU_ARCHITECTURE[config.instanceSpec.architecture],
  };
}

function addRoute(config: EnvironmentConfig, loadBalancer: PublicLoadBalancer, service: ServiceConfig): ServiceRoute {
  const { routing, targetGroup: tg } = service;
  const bg = service.deployment.blueGreen;
  const fargate = isFargate(service.runsOn);
  return loadBalancer.addRoute(service.name, {
    targetGroupName: serviceTargetGroupName(config.namePrefix, service.name, fargate),
    ...(fargate ? { ipTargets: { port: service.container.port } } : {}),
    pathPatterns: routing.pathPatterns,
    hostHeaders: routing.hostHeaders,
    priority: routing.priority,
    default: routing.default,
    healthCheck: {
      path: tg.healthCheckPath,
      intervalSeconds: tg.healthCheckIntervalSeconds,
      healthyThreshold: tg.healthyThreshold,
      unhealthyThreshold: tg.unhealthyThreshold,
    },
    deregistrationDelaySeconds: tg.deregistrationDelaySeconds,
    ...(bg
      ? {
          blueGreen: {
            alternateTargetGroupName: blueGreenNames(config.namePrefix, service.name).alternateTargetGroup,
            testListener: bg.testListener,
          },
        }
      : {}),
  });
}

/** The alarms that page are also the ones a deployment is judged by: one set, one threshold each. */
function addServiceAlarms(
  stack: Construct,
  config: EnvironmentConfig,
  platform: ServicePlatform,
  service: ServiceConfig,
  route: ServiceRoute,
): ServiceAlarms {
  const thresholds = config.operations.alarms;
  return new ServiceAlarms(stack, `alarms-${service.name}`, {
    namePrefix: config.namePrefix,
    serviceName: service.name,
    watched: {
      loadBalancerArnSuffix: platform.loadBalancer.loadBalancer.arnSuffix,
      targetGroupArnSuffix: route.targetGroup.arnSuffix,
      ...(route.blueGreen ? { alternateTargetGroupArnSuffix: route.blueGreen.alternateTargetGroup.arnSuffix } : {}),
      clusterName: platform.capacity.cluster.name,
      serviceName: service.name,
    },
    thresholds: thresholds.services[service.name],
    minimumRequestsPerMinute: thresholds.minimumRequestsPerMinute,
    actions: [platform.alarmTopic.topic.arn],
    containerInsights: config.containerInsights,
  });
}
