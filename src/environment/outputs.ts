/**
 * What an environment stack tells readers outside Terraform: outputs for operators, the ops tool and
 * the integration harness, and a local the policy suite reads. Each is created in the stack's own
 * scope, so its address is the stack's.
 */
import { Construct } from 'constructs';
import { TerraformLocal, TerraformOutput } from 'cdktf';
import { AlarmTopic } from '../operations/alarm-topic';
import { ContainerImage } from '../services/container-image';
import { DomainCertificate } from '../edge/domain-certificate';
import { Ec2Capacity } from '../compute/ec2-capacity';
import { EnvironmentConfig } from './config';
import { LoadBalancedService } from '../services/load-balanced-service';
import { Network } from '../network/network';
import { OperationsDashboard } from '../operations/operations-dashboard';
import { PublicLoadBalancer } from '../edge/load-balancer';
import { WebAcl } from '../edge/web-acl';

/** The parts of an environment its outputs name. */
export interface OutputSources {
  readonly network: Network;
  readonly loadBalancer: PublicLoadBalancer;
  readonly domain?: DomainCertificate;
  readonly webAcl?: WebAcl;
  readonly capacity: Ec2Capacity;
  readonly services: readonly LoadBalancedService[];
  readonly images: readonly ContainerImage[];
  readonly alarmTopic: AlarmTopic;
  readonly dashboard: OperationsDashboard;
}

type Outputs = Record<string, { value: unknown; description: string }>;

/**
 * The environment as a Terraform local: nothing in Terraform reads it, but the policy suite judges
 * the synthesized JSON by it (production rules, the plain-HTTP exemption).
 */
export function declareEnvironment(stack: Construct, config: EnvironmentConfig): void {
  new TerraformLocal(stack, 'environment', { name: config.name, production: config.production, allow_plain_http: config.allowPlainHttp });
}

/** Every output of an environment stack; only those whose parts exist. */
export function addEnvironmentOutputs(stack: Construct, config: EnvironmentConfig, from: OutputSources): void {
  const outputs = { ...sharedOutputs(from), ...spotOutputs(from), ...natOutputs(from), ...httpsOutputs(from) };
  for (const [id, output] of Object.entries(outputs)) new TerraformOutput(stack, id, output);
  new TerraformOutput(stack, 'services', {
    value: serviceOutputs(config, from),
    description:
      'Per service: url, service_name, target_group_arn, target_group_name, log_group, image_uri (ecr_repository_url when built here)',
  });
  const blueGreen = blueGreenOutputs(from);
  if (Object.keys(blueGreen).length > 0) {
    new TerraformOutput(stack, 'blue_green', {
      value: blueGreen,
      description:
        'Per blue-green service: codedeploy_application, deployment_group, target_group_names (CodeDeploy alternates between them), production_listener_arn, test_listener_arn, task_definition_arn (the revision apply registered)',
    });
  }
}

/** What CodeDeploy deploys to, per blue-green service. */
function blueGreenOutputs({ services }: OutputSources): Record<string, unknown> {
  return Object.fromEntries(
    services.flatMap((service) => {
      const { blueGreen: codeDeploy, route } = service;
      if (!codeDeploy || !route.blueGreen) return [];
      return [
        [
          service.name,
          {
            codedeploy_application: codeDeploy.application.name,
            deployment_group: codeDeploy.deploymentGroup.deploymentGroupName,
            target_group_names: [route.targetGroup.name, route.blueGreen.alternateTargetGroup.name],
            production_listener_arn: route.blueGreen.productionListener.arn,
            ...(route.blueGreen.testListener ? { test_listener_arn: route.blueGreen.testListener.arn } : {}),
            task_definition_arn: service.taskDefinition.arn,
          },
        ],
      ];
    }),
  );
}

function sharedOutputs({ loadBalancer, capacity, network, alarmTopic, dashboard }: OutputSources): Outputs {
  const alb = loadBalancer.loadBalancer;
  return {
    alb_dns_name: { value: alb.dnsName, description: 'DNS name of the ALB' },
    base_url: { value: loadBalancer.baseUrl, description: 'Where clients reach the services: https://<domain> with a domain' },
    load_balancer_arn: { value: alb.arn, description: 'The ALB' },
    cluster_name: { value: capacity.cluster.name, description: 'ECS cluster' },
    capacity_provider_name: { value: capacity.capacityProvider.name, description: 'The cluster capacity provider' },
    autoscaling_group_name: { value: capacity.autoScalingGroup.name, description: 'Auto Scaling group of the container instances' },
    vpc_id: { value: network.vpc.id, description: 'VPC' },
    alarm_topic_arn: { value: alarmTopic.topic.arn, description: 'SNS topic every alarm notifies' },
    dashboard_name: { value: dashboard.dashboard.dashboardName, description: 'CloudWatch dashboard of the environment' },
  };
}

function spotOutputs({ capacity }: OutputSources): Outputs {
  const { spotAutoScalingGroup: group, spotCapacityProvider: provider } = capacity;
  if (!group || !provider) return {};
  return {
    spot_capacity_provider_name: { value: provider.name, description: "The Spot group's capacity provider" },
    spot_autoscaling_group_name: { value: group.name, description: 'Auto Scaling group of the Spot container instances' },
  };
}

function natOutputs({ network }: OutputSources): Outputs {
  const nat = network.natInstance;
  if (!nat) return {};
  return {
    nat_network_interface_id: {
      value: nat.networkInterface.id,
      description: "The NAT instance's network interface: the private subnets' default route",
    },
    nat_autoscaling_group_name: { value: nat.autoScalingGroup.name, description: 'Auto Scaling group of the NAT instance' },
  };
}

/** The HTTPS pieces, for operators and the integration harness. */
function httpsOutputs({ loadBalancer, domain: d, webAcl }: OutputSources): Outputs {
  const outputs: Outputs = {};
  if (loadBalancer.scheme === 'https') {
    outputs.https_listener_arn = { value: loadBalancer.listener.arn, description: 'The HTTPS listener (port 80 redirects to it)' };
  }
  if (d) {
    outputs.domain = {
      value: {
        zone_id: d.zoneId,
        record_name: d.recordName,
        alias_fqdn: d.alias!.fqdn,
        certificate_arn: d.certificateArn,
        ...(d.validationRecord ? { validation_record_fqdn: d.validationRecord.fqdn } : {}),
      },
      description: 'Route 53 zone, alias record and certificate (validation_record_fqdn when the certificate is created here)',
    };
  }
  if (webAcl) outputs.web_acl_arn = { value: webAcl.webAcl.arn, description: 'The WAF web ACL associated with the ALB' };
  return outputs;
}

function serviceOutputs(config: EnvironmentConfig, { services, images }: OutputSources): Record<string, unknown> {
  return Object.fromEntries(
    services.map((service, i) => {
      const repository = images[i].repository;
      return [
        service.name,
        {
          url: `${service.route.baseUrl}${config.services[i].routing.urlPath}`,
          service_name: service.service.name,
          target_group_arn: service.route.targetGroup.arn,
          target_group_name: service.route.targetGroup.name,
          log_group: service.logGroup.name,
          image_uri: images[i].imageUri,
          ...(repository ? { ecr_repository_url: repository.repositoryUrl } : {}),
        },
      ];
    }),
  );
}
