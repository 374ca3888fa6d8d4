import { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { managedPolicyArn, policyDocument, PolicyStatement } from '../shared/iam';
import { projectNames } from '../shared/names';

/** GitHub Actions' OIDC issuer, without the scheme: the prefix of its condition keys. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** `owner/repository`, as GitHub spells it. */
export const GITHUB_REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;

/**
 * What the pull-request plan role may never read, though ReadOnlyAccess allows it: a same-repository
 * pull request can change the workflow that assumes the role. Every SSM parameter but the public
 * ones under /aws/service/ (the AMI ids a plan reads; SSM has no condition key for the parameter
 * type, so SecureStrings are denied by path), every Secrets Manager value, every KMS decryption.
 */
export function denySecretReads(partition: string): PolicyStatement[] {
  return [
    {
      Sid: 'DenyParametersButPublicOnes',
      Effect: 'Deny',
      Action: 'ssm:GetParameter*',
      NotResource: [`arn:${partition}:ssm:*::parameter/aws/service/*`, `arn:${partition}:ssm:*:*:parameter/aws/service/*`],
    },
    { Sid: 'DenySecretValues', Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
    { Sid: 'DenyDecrypt', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' },
  ];
}

export interface GithubOidcRolesProps {
  /** `owner/repository` whose workflows assume the roles. */
  readonly repository: string;
  /** The state bucket's ARN: plans read the state under `host-name/`. */
  readonly stateBucketArn: string;
  /** Environments with a deploy role each (GitHub environments of the same names). */
  readonly environments: readonly string[];
  /**
   * Those of `environments` with blue-green services: their deploy role may also pass the stack's roles to
   * CodeDeploy (each deployment group's service role). @default none
   */
  readonly blueGreenEnvironments?: readonly string[];
}

/**
 * docs/aws-oidc-setup.md as code: GitHub's OIDC provider, the read-only plan role (pull requests and
 * main) with its explicit Deny of secret reads, the push role (main) and a deploy role per
 * environment (`environment:<name>`, which GitHub only grants to main).
 */
export class GithubOidcRoles extends Construct {
  public readonly provider: IamOpenidConnectProvider;
  public readonly planRole: IamRole;
  public readonly planDenySecrets: IamRolePolicy;
  public readonly pushRole: IamRole;
  public readonly deployRoles: readonly IamRole[];

  private readonly partition: string;
  private readonly account: string;
  private readonly repository: string;

  constructor(scope: Construct, id: string, props: GithubOidcRolesProps) {
    super(scope, id);
    this.partition = new DataAwsPartition(this, 'partition', {}).partition;
    this.account = new DataAwsCallerIdentity(this, 'account', {}).accountId;
    this.repository = props.repository;
    this.provider = new IamOpenidConnectProvider(this, 'provider', {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdList: ['sts.amazonaws.com'],
    });
    this.planRole = this.role(projectNames.planRole, 'pull_request', 'ref:refs/heads/main');
    this.planDenySecrets = this.grantPlan(props.stateBucketArn);
    this.pushRole = this.role(projectNames.pushRole, 'ref:refs/heads/main');
    this.grantPush();
    this.deployRoles = props.environments.map((env) => this.createDeployRole(env, props.blueGreenEnvironments?.includes(env) ?? false));
  }

  private role(name: string, ...subjects: string[]): IamRole {
    return new IamRole(this, name, { name, maxSessionDuration: 3600, assumeRolePolicy: this.trustPolicy(this.repository, subjects) });
  }

  /** Read everything but secrets, and the state; returns the Deny of secret reads. */
  private grantPlan(stateBucketArn: string): IamRolePolicy {
    const partition = this.partition;
    new IamRolePolicyAttachment(this, 'plan-read-only', {
      role: this.planRole.name,
      policyArn: managedPolicyArn(partition, 'ReadOnlyAccess'),
    });
    new IamRolePolicy(this, 'plan-state', {
      role: this.planRole.id,
      name: 'terraform-plan',
      policy: policyDocument(
        { Sid: 'ListState', Effect: 'Allow', Action: 's3:ListBucket', Resource: stateBucketArn },
        { Sid: 'ReadState', Effect: 'Allow', Action: 's3:GetObject', Resource: `${stateBucketArn}/${projectNames.stateFolder}*` },
      ),
    });
    return new IamRolePolicy(this, 'plan-deny-secrets', {
      role: this.planRole.id,
      name: 'deny-secrets',
      policy: policyDocument(...denySecretReads(partition)),
    });
  }

  private grantPush(): void {
    new IamRolePolicy(this, 'push-images', {
      role: this.pushRole.id,
      name: 'push-images',
      policy: policyDocument(
        { Sid: 'Login', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        {
          Sid: 'Push',
          Effect: 'Allow',
          Action: [
            'ecr:BatchCheckLayerAvailability',
            'ecr:InitiateLayerUpload',
            'ecr:UploadLayerPart',
            'ecr:CompleteLayerUpload',
            'ecr:PutImage',
            'ecr:BatchGetImage',
            'ecr:DescribeImages',
          ],
          Resource: `arn:${this.partition}:ecr:*:${this.account}:repository/${projectNames.pipelineRepository('*')}`,
        },
      ),
    });
  }

  /** PowerUserAccess, and IAM only for the environment's own roles and instance profiles. */
  private createDeployRole(env: string, blueGreen: boolean): IamRole {
    const partition = this.partition;
    const account = this.account;
    const deploy = this.role(projectNames.deployRole(env), `environment:${env}`);
    new IamRolePolicyAttachment(this, `deploy-${env}-power-user`, {
      role: deploy.name,
      policyArn: managedPolicyArn(partition, 'PowerUserAccess'),
    });
    const roles = [
      `arn:${partition}:iam::${account}:role/${projectNames.defaultNamePrefix(env)}-*`,
      `arn:${partition}:iam::${account}:role/flow-logs-*`,
    ];
    new IamRolePolicy(this, `deploy-${env}-stack-iam`, {
      role: deploy.id,
      name: 'stack-iam',
      policy: policyDocument(
        {
          Sid: 'StackRoles',
          Effect: 'Allow',
          Action: [
            'iam:CreateRole',
            'iam:DeleteRole',
            'iam:GetRole',
            'iam:UpdateRole',
            'iam:UpdateAssumeRolePolicy',
            'iam:TagRole',
            'iam:UntagRole',
            'iam:ListRolePolicies',
            'iam:ListAttachedRolePolicies',
            'iam:ListInstanceProfilesForRole',
            'iam:PutRolePolicy',
            'iam:GetRolePolicy',
            'iam:DeleteRolePolicy',
            'iam:AttachRolePolicy',
            'iam:DetachRolePolicy',
            'iam:CreateInstanceProfile',
            'iam:DeleteInstanceProfile',
            'iam:GetInstanceProfile',
            'iam:AddRoleToInstanceProfile',
            'iam:RemoveRoleFromInstanceProfile',
            'iam:TagInstanceProfile',
            'iam:UntagInstanceProfile',
          ],
          Resource: [...roles, `arn:${partition}:iam::${account}:instance-profile/${projectNames.defaultNamePrefix(env)}-*`],
        },
        {
          Sid: 'PassStackRoles',
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: roles,
          Condition: {
            StringEquals: {
              'iam:PassedToService': [
                'ecs-tasks.amazonaws.com',
                'ec2.amazonaws.com',
                'vpc-flow-logs.amazonaws.com',
                ...(blueGreen ? ['codedeploy.amazonaws.com'] : []),
              ],
            },
          },
        },
      ),
    });
    return deploy;
  }

  /** GitHub tokens of this repository with one of these subjects, for STS. */
  private trustPolicy(repository: string, subjects: readonly string[]): string {
    return policyDocument({
      Effect: 'Allow',
      Principal: { Federated: this.provider.arn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_HOST}:sub`]: subjects.map((s) => `repo:${repository}:${s}`),
        },
      },
    });
  }
}
