import { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { policyDocument, PolicyStatement } from './iam';

export interface CustomerManagedKeyProps {
  /** `alias/<aliasName>`; also the key's description. */
  readonly aliasName: string;
  readonly description: string;
  /**
   * What AWS services may do with the key, given the account id and partition. The account itself
   * always administers it (so IAM policies can grant its use).
   */
  readonly serviceStatements: (account: string, partition: string) => PolicyStatement[];
}

/**
 * A customer managed KMS key with rotation and an alias. A customer managed key, because an AWS
 * managed key's policy cannot be changed: AWS services that write for us (CloudWatch alarms to SNS,
 * CloudWatch Logs) need a statement in the key policy.
 */
export class CustomerManagedKey extends Construct {
  public readonly key: KmsKey;
  public readonly alias: KmsAlias;
  /** The account id, for policies that need it next to the key. */
  public readonly account: string;
  public readonly partition: string;

  constructor(scope: Construct, id: string, props: CustomerManagedKeyProps) {
    super(scope, id);
    this.account = new DataAwsCallerIdentity(this, 'account', {}).accountId;
    this.partition = new DataAwsPartition(this, 'partition', {}).partition;
    this.key = new KmsKey(this, 'key', {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument(
        {
          Sid: 'AccountAdministers',
          Effect: 'Allow',
          Principal: { AWS: `arn:${this.partition}:iam::${this.account}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        ...props.serviceStatements(this.account, this.partition),
      ),
    });
    this.alias = new KmsAlias(this, 'alias', { name: `alias/${props.aliasName}`, targetKeyId: this.key.keyId });
  }
}
