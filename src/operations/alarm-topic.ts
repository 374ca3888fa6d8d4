import { Construct } from 'constructs';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { policyDocument } from '../shared/iam';
import { CustomerManagedKey } from '../shared/kms-key';

/** What the account may do on its own topic (a topic policy replaces SNS's default one). */
export const TOPIC_OWNER_ACTIONS = [
  'sns:GetTopicAttributes',
  'sns:SetTopicAttributes',
  'sns:AddPermission',
  'sns:RemovePermission',
  'sns:DeleteTopic',
  'sns:Subscribe',
  'sns:ListSubscriptionsByTopic',
  'sns:Publish',
] as const;

export interface AlarmTopicProps {
  readonly topicName: string;
  /** Encrypts the topic; its policy must let cloudwatch.amazonaws.com Decrypt and GenerateDataKey* (operations-key.ts). */
  readonly key: CustomerManagedKey;
  /** Email addresses to subscribe (each confirms by mail). */
  readonly emails: readonly string[];
  /** HTTPS endpoints to subscribe (each confirms by answering SNS's SubscriptionConfirmation). */
  readonly httpsUrls: readonly string[];
}

/**
 * The environment's alarm topic: encrypted with a customer managed key whose policy lets CloudWatch
 * alarms publish (with the AWS managed aws/sns key they cannot: its policy has no statement for
 * cloudwatch.amazonaws.com and cannot get one), a TLS-only topic policy, and the configured subscriptions.
 */
export class AlarmTopic extends Construct {
  public readonly key: CustomerManagedKey;
  public readonly topic: SnsTopic;
  public readonly policy: SnsTopicPolicy;
  public readonly subscriptions: readonly SnsTopicSubscription[];

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.key = props.key;
    this.topic = new SnsTopic(this, 'topic', { name: props.topicName, kmsMasterKeyId: this.key.key.arn });
    this.policy = this.createPolicy();
    this.subscriptions = [
      ...props.emails.map((e) => this.subscribe('email', e)),
      ...props.httpsUrls.map((u) => this.subscribe('https', u)),
    ];
  }

  /** The account owns the topic, CloudWatch alarms of this account publish, and only over TLS. */
  private createPolicy(): SnsTopicPolicy {
    const { account, partition } = this.key;
    return new SnsTopicPolicy(this, 'policy', {
      arn: this.topic.arn,
      policy: policyDocument(
        {
          Sid: 'AccountOwns',
          Effect: 'Allow',
          Principal: { AWS: `arn:${partition}:iam::${account}:root` },
          Action: TOPIC_OWNER_ACTIONS,
          Resource: this.topic.arn,
        },
        {
          Sid: 'CloudWatchAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: this.topic.arn,
          Condition: { StringEquals: { 'aws:SourceAccount': account } },
        },
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: TOPIC_OWNER_ACTIONS,
          Resource: this.topic.arn,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ),
    });
  }

  /** Ids from the endpoint, not the position: removing one subscriber leaves the others confirmed. */
  private subscribe(protocol: string, endpoint: string): SnsTopicSubscription {
    return new SnsTopicSubscription(this, `${protocol}-${endpoint.replace(/[^A-Za-z0-9]+/g, '-')}`, {
      topicArn: this.topic.arn,
      protocol,
      endpoint,
    });
  }
}
