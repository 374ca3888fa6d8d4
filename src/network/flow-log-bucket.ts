import { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { policyDocument } from '../shared/iam';
import { denyInsecureTransport, expiringPrivateBucket } from '../shared/private-bucket';

export interface FlowLogBucketProps {
  /** Bucket name prefix; AWS appends a unique suffix. */
  readonly namePrefix: string;
  /** Days before log objects expire (the environment's log retention). */
  readonly expirationDays: number;
}

/** A private, encrypted S3 bucket that VPC flow logs of this account may be delivered to. */
export class FlowLogBucket extends Construct {
  public readonly bucket: S3Bucket;
  /** The flow log must depend on it: delivery checks the policy when the flow log is created. */
  public readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: FlowLogBucketProps) {
    super(scope, id);
    this.bucket = expiringPrivateBucket(this, {
      namePrefix: props.namePrefix,
      expirationDays: props.expirationDays,
      ruleId: 'expire-flow-logs',
      forceDestroy: true,
    });

    // The statements AWS would add itself, limited to this account's deliveries.
    const account = new DataAwsCallerIdentity(this, 'account', {}).accountId;
    const sameAccount = { 'aws:SourceAccount': account };
    this.policy = new S3BucketPolicy(this, 'policy', {
      bucket: this.bucket.id,
      policy: policyDocument(
        {
          Sid: 'FlowLogDeliveryWrite',
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${this.bucket.arn}/AWSLogs/${account}/*`,
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...sameAccount } },
        },
        {
          Sid: 'FlowLogDeliveryAclCheck',
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Resource: this.bucket.arn,
          Condition: { StringEquals: sameAccount },
        },
        denyInsecureTransport(this.bucket.arn),
      ),
    });
  }
}
