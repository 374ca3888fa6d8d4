import { EnvironmentStatus, renderEvents, renderStatus, ServiceStatus } from '../../tools/ops/render';

const at = (minute: number) => new Date(Date.UTC(2025, 0, 2, 3, minute, 5));

const hostName: ServiceStatus = {
  name: 'host-name',
  found: true,
  desired: 2,
  running: 1,
  pending: 1,
  scaling: { min: 1, max: 2 },
  execEnabled: true,
  deployments: [
    {
      status: 'PRIMARY',
      rolloutState: 'IN_PROGRESS',
      taskDefinition: 'host-name-dev-host-name:4',
      desired: 2,
      running: 1,
      pending: 1,
      failed: 1,
    },
    {
      status: 'ACTIVE',
      rolloutState: 'COMPLETED',
      taskDefinition: 'host-name-dev-host-name:3',
      desired: 0,
      running: 0,
      pending: 0,
      failed: 0,
    },
  ],
  targets: { healthy: 1, initial: 1 },
  events: [
    { at: at(4), message: '(service host-name) has started 1 tasks:\n (task abc).' },
    { at: at(3), message: '(service host-name) registered 1 targets' },
    { at: at(2), message: '(service host-name) has reached a steady state.' },
    { at: at(1), message: 'older, not shown' },
  ],
};

const status: EnvironmentStatus = {
  environment: 'dev',
  region: 'us-east-1',
  cluster: { name: 'host-name-dev-cluster', status: 'ACTIVE', runningTasks: 1, pendingTasks: 1 },
  autoScalingGroup: { name: 'host-name-dev-instances', min: 1, max: 2, desired: 2, inService: 1 },
  instances: [
    {
      ec2InstanceId: 'i-0abc',
      status: 'ACTIVE',
      agentConnected: true,
      runningTasks: 1,
      cpu: { remaining: 512, registered: 1024 },
      memoryMiB: { remaining: 662, registered: 982 },
    },
  ],
  services: [
    hostName,
    { name: 'orders', found: false, desired: 0, running: 0, pending: 0, execEnabled: false, deployments: [], targets: {}, events: [] },
  ],
  alarms: [{ name: 'host-name-dev-host-name-tasks-below-desired', reason: 'Threshold Crossed:\n 15 datapoints', since: at(5) }],
};

describe('ops status rendering', () => {
  test('one screen: cluster, capacity (at max flagged), services with deployments, targets and the last three events, alarms', () => {
    expect(renderStatus(status)).toBe(
      [
        'dev (us-east-1): cluster host-name-dev-cluster ACTIVE, 1 tasks running, 1 pending',
        '',
        'Capacity',
        '  host-name-dev-instances: 1 in service, desired 2 (min 1, max 2)  AT MAX',
        '  i-0abc  ACTIVE  1 task  cpu 512/1024 free  memory 662/982 MiB free',
        '',
        'Services',
        '  host-name: 1/2 running, 1 pending (autoscaling 1-2); targets: 1 healthy, 1 initial; exec on',
        '    PRIMARY IN_PROGRESS host-name-dev-host-name:4  1/2 running, 1 pending, 1 failed',
        '    ACTIVE  COMPLETED   host-name-dev-host-name:3  0/0 running, 0 pending',
        '    2025-01-02 03:04:05Z  (service host-name) has started 1 tasks: (task abc).',
        '    2025-01-02 03:03:05Z  (service host-name) registered 1 targets',
        '    2025-01-02 03:02:05Z  (service host-name) has reached a steady state.',
        '  orders: NOT FOUND in the cluster',
        '',
        'Alarms in ALARM: 1',
        '  host-name-dev-host-name-tasks-below-desired since 2025-01-02 03:05:05Z: Threshold Crossed: 15 datapoints',
        '',
      ].join('\n'),
    );
  });

  test('quiet environment: no instances, no targets, no alarms, no Auto Scaling group', () => {
    const quiet = renderStatus({
      ...status,
      autoScalingGroup: undefined,
      instances: [],
      services: [{ ...hostName, execEnabled: false, targets: {}, events: [], deployments: [] }],
      alarms: [],
    });
    expect(quiet).toContain('  Auto Scaling group: not found\n  no container instances registered\n');
    expect(quiet).toContain('  host-name: 1/2 running, 1 pending (autoscaling 1-2); targets: no targets\n');
    expect(quiet.endsWith('Alarms in ALARM: none\n')).toBe(true);
  });

  test('with Spot: the Spot group under the on-demand one, or not found', () => {
    const spot = { name: 'host-name-dev-spot-instances', min: 0, max: 2, desired: 1, inService: 1 };
    expect(renderStatus({ ...status, spotAutoScalingGroup: spot })).toContain(
      '  host-name-dev-instances: 1 in service, desired 2 (min 1, max 2)  AT MAX\n  host-name-dev-spot-instances: 1 in service, desired 1 (min 0, max 2)\n',
    );
    expect(renderStatus({ ...status, spotAutoScalingGroup: undefined })).toContain('  Spot Auto Scaling group: not found\n');
    expect(renderStatus(status)).not.toContain('Spot');
  });

  test('events: newest first, one a line', () => {
    expect(renderEvents('host-name', hostName.events.slice(0, 2))).toBe(
      '2025-01-02 03:04:05Z  (service host-name) has started 1 tasks: (task abc).\n2025-01-02 03:03:05Z  (service host-name) registered 1 targets\n',
    );
    expect(renderEvents('host-name', [])).toBe('host-name: no events\n');
  });
});
