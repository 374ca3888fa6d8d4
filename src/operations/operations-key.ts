import { Construct } from 'constructs';
import { CustomerManagedKey } from '../shared/kms-key';
import { PolicyStatement } from '../shared/iam';
// cdktf's own logical-id algorithm, as in upgrade-moves.ts: the former address is computed, not retyped.
import { makeUniqueId } from 'cdktf/lib/private/unique';

export interface OperationsKeyProps {
  /** `alias/<aliasName>` (names.ts operationsKeyAlias). */
  readonly aliasName: string;
  readonly region: string;
  /** The alarm topic's name, for the key's description. */
  readonly topicName: string;
  /** The ECS Exec session log group, when exec is on: CloudWatch Logs may use the key for that group only. @default none */
  readonly execLogGroupName?: string;
}

/**
 * The environment's one customer managed key for operations (a key is $1 a month): it encrypts the
 * alarm topic and, with ECS Exec on, the session log group and the sessions' data channel. Its policy
 * lets CloudWatch alarms publish to the encrypted topic and CloudWatch Logs encrypt the session log
 * group (encryption context pinned to that group's ARN). SNS itself needs no statement: it asks KMS
 * for data keys with the publisher's permissions (CloudWatch's statement, or the account's IAM
 * policies through AccountAdministers).
 */
export class OperationsKey extends Construct {
  public readonly key: CustomerManagedKey;
  /**
   * Addresses of keys this one replaced that still encrypt data (log events ingested under a key stay
   * encrypted with it): for `removed` blocks that forget them, never schedule their deletion.
   */
  public readonly retiredResources: readonly string[] = RETIRED_EXEC_KEY.map(([type, ...path]) => `${type}.${makeUniqueId(path)}`);

  constructor(scope: Construct, id: string, props: OperationsKeyProps) {
    super(scope, id);
    const exec = props.execLogGroupName;
    this.key = new CustomerManagedKey(this, 'key', {
      aliasName: props.aliasName,
      description: `Encrypts the ${props.topicName} SNS topic${exec ? `, ECS Exec sessions and their log group ${exec}` : ''}`,
      serviceStatements: (account, partition) => [
        {
          Sid: 'CloudWatchAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceAccount': account } },
        },
        ...(exec ? [execLogsStatement(props.region, account, partition, exec)] : []),
      ],
    });
    // The alarm topic's former key carries on here (description and policy updated in place), so an
    // existing deployment keeps it instead of scheduling its deletion.
    this.key.key.moveFromId(`aws_kms_key.${makeUniqueId([...FORMER_TOPIC_KEY_PATH, 'key'])}`);
  }
}

/** Where the alarm topic's key sat below the stack before this construct owned it (alarm-topic.ts). */
const FORMER_TOPIC_KEY_PATH = ['alarm-topic', 'key'] as const;

/**
 * ECS Exec's former key and its alias (exec-logging.ts): the session log group's older events stay
 * encrypted with it (CloudWatch Logs DisassociateKmsKey), so it is kept, and the alias still finds it.
 */
const RETIRED_EXEC_KEY = [
  ['aws_kms_key', 'exec-logging', 'key', 'key'],
  ['aws_kms_alias', 'exec-logging', 'key', 'alias'],
] as const;

function execLogsStatement(region: string, account: string, partition: string, logGroupName: string): PolicyStatement {
  return {
    Sid: 'CloudWatchLogsEncryptsTheExecLogGroup',
    Effect: 'Allow',
    Principal: { Service: `logs.${region}.amazonaws.com` },
    Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    Resource: '*',
    Condition: {
      ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:${logGroupName}` },
    },
  };
}
