import { Construct } from 'constructs';
import { CodedeployApp } from '@cdktf/provider-aws/lib/codedeploy-app';
import { CodedeployDeploymentGroup } from '@cdktf/provider-aws/lib/codedeploy-deployment-group';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { BlueGreenConfig } from './settings';
import { ServiceRoute } from '../edge/load-balancer';
import { managedPolicyArn, serviceTrustPolicy } from '../shared/iam';
import { blueGreenNames } from '../shared/names';

/** AWS's managed policy for CodeDeploy's ECS deployments: task sets, the listeners and rules, the alarms. */
export const CODEDEPLOY_ECS_MANAGED_POLICY = 'AWSCodeDeployRoleForECS';

/** Deployment rolls back when it fails and when one of its alarms stops it. */
export const AUTO_ROLLBACK_EVENTS = ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] as const;

export interface BlueGreenDeploymentProps {
  readonly namePrefix: string;
  /** The config key, also the ECS service's name. */
  readonly serviceName: string;
  readonly blueGreen: BlueGreenConfig;
  /** The cluster's and the ECS service's names (tokens: the group waits for both). */
  readonly clusterName: string;
  readonly ecsServiceName: string;
  /** A blue/green route (PublicLoadBalancer.addRoute with `blueGreen`): its two target groups and listeners. */
  readonly route: ServiceRoute;
  /** The service's deployment alarms (ServiceAlarms.deploymentAlarms): an alarm stops the deployment, and it rolls back. */
  readonly alarmNames: readonly string[];
}

/**
 * CodeDeploy's side of a blue/green ECS service: the application, the role CodeDeploy assumes, and a
 * deployment group that moves the route's listener rule (and its test listener) from one target group
 * to the other, judged by the service's deployment alarms. `npm run release -- deploy` starts its deployments.
 */
export class BlueGreenDeployment extends Construct {
  public readonly application: CodedeployApp;
  public readonly serviceRole: IamRole;
  public readonly serviceRolePolicy: IamRolePolicyAttachment;
  public readonly deploymentGroup: CodedeployDeploymentGroup;

  constructor(scope: Construct, id: string, props: BlueGreenDeploymentProps) {
    super(scope, id);
    const names = blueGreenNames(props.namePrefix, props.serviceName);
    this.application = new CodedeployApp(this, 'application', { name: names.application, computePlatform: 'ECS' });
    this.serviceRole = new IamRole(this, 'role', {
      name: names.codeDeployRole,
      assumeRolePolicy: serviceTrustPolicy('codedeploy.amazonaws.com'),
    });
    this.serviceRolePolicy = new IamRolePolicyAttachment(this, 'role-policy', {
      role: this.serviceRole.name,
      policyArn: managedPolicyArn(new DataAwsPartition(this, 'partition', {}).partition, CODEDEPLOY_ECS_MANAGED_POLICY),
    });
    this.deploymentGroup = this.createDeploymentGroup(props, names.deploymentGroup);
  }

  private createDeploymentGroup(props: BlueGreenDeploymentProps, name: string): CodedeployDeploymentGroup {
    const { blueGreen: bg, route } = props;
    const pair = route.blueGreen;
    if (!pair) throw new Error(`${props.serviceName}: a blue/green deployment needs a blue/green route`);
    return new CodedeployDeploymentGroup(this, 'group', {
      appName: this.application.name,
      deploymentGroupName: name,
      serviceRoleArn: this.serviceRole.arn,
      deploymentConfigName: bg.deploymentConfigName,
      deploymentStyle: { deploymentOption: 'WITH_TRAFFIC_CONTROL', deploymentType: 'BLUE_GREEN' },
      blueGreenDeploymentConfig: {
        // Without an approval wait, traffic moves once the replacement task set is healthy.
        deploymentReadyOption:
          bg.approvalWaitMinutes === undefined
            ? { actionOnTimeout: 'CONTINUE_DEPLOYMENT' }
            : { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: bg.approvalWaitMinutes },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: bg.blueTerminationWaitMinutes },
      },
      ecsService: { clusterName: props.clusterName, serviceName: props.ecsServiceName },
      loadBalancerInfo: {
        targetGroupPairInfo: {
          prodTrafficRoute: { listenerArns: [pair.productionListener.arn] },
          targetGroup: [{ name: route.targetGroup.name }, { name: pair.alternateTargetGroup.name }],
          ...(pair.testListener ? { testTrafficRoute: { listenerArns: [pair.testListener.arn] } } : {}),
        },
      },
      autoRollbackConfiguration: { enabled: true, events: [...AUTO_ROLLBACK_EVENTS] },
      alarmConfiguration: { enabled: true, alarms: [...props.alarmNames], ignorePollAlarmFailure: false },
      // CodeDeploy checks at creation that it may assume the role with the policy attached.
      dependsOn: [this.serviceRolePolicy],
    });
  }
}
