import { DeploymentAlarms } from '../constructs/deployment-alarms';
import { TEST_ROUTE, testLoadBalancer, testNetwork } from './support/fixtures';
import { resourcesOf, synthJson } from './support/synth';

function synthAlarms(target5xxPerMinute = 10) {
  let alarmNames: readonly string[] = [];
  const { json } = synthJson((scope) => {
    const lb = testLoadBalancer(scope, testNetwork(scope));
    const route = lb.addRoute('api', TEST_ROUTE);
    alarmNames = new DeploymentAlarms(scope, 'alarms', {
      namePrefix: 'hn-test',
      serviceName: 'api',
      loadBalancer: lb.loadBalancer,
      targetGroup: route.targetGroup,
      target5xxPerMinute,
    }).alarmNames;
  });
  const alarms = Object.values(resourcesOf(json, 'aws_cloudwatch_metric_alarm'));
  const byName = (name: string) => alarms.find((a) => a.alarm_name === name);
  return { alarms, byName, alarmNames };
}

describe('DeploymentAlarms', () => {
  const { alarms, byName, alarmNames } = synthAlarms();
  const dimensions = {
    LoadBalancer: expect.stringMatching(/^\$\{aws_lb\.\w+\.arn_suffix\}$/),
    TargetGroup: expect.stringMatching(/^\$\{aws_lb_target_group\.lb_route-api_tg_\w+\.arn_suffix\}$/),
  };

  test('two alarms, named <prefix>-<service>-..., both exposed for the service', () => {
    expect(alarms).toHaveLength(2);
    expect(alarmNames).toHaveLength(2);
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual(['hn-test-api-target-5xx', 'hn-test-api-unhealthy-hosts']);
  });

  test('5xx from the service\'s targets, per minute, on its target group', () => {
    expect(byName('hn-test-api-target-5xx')).toMatchObject({
      namespace: 'AWS/ApplicationELB',
      metric_name: 'HTTPCode_Target_5XX_Count',
      statistic: 'Sum',
      period: 60,
      evaluation_periods: 2,
      threshold: 10,
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      treat_missing_data: 'notBreaching',
      dimensions,
    });
    expect(synthAlarms(25).byName('hn-test-api-target-5xx').threshold).toBe(25);
  });

  test('a target failing the health check for 3 minutes', () => {
    expect(byName('hn-test-api-unhealthy-hosts')).toMatchObject({
      metric_name: 'UnHealthyHostCount',
      statistic: 'Maximum',
      threshold: 1,
      evaluation_periods: 3,
      dimensions,
    });
  });
});
