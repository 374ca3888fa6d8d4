/** The integration test's verdict on the plan after a blue/green deployment (harness/checks/blue-green.ts). */
import { judgeReplan } from '../harness/checks/blue-green';

const SERVICE = 'aws_ecs_service.service-users_service_3FE09787 ';
/** The emulator's drift, the same before and after the deployment. */
const DRIFT = [
  'aws_autoscaling_group.capacity_asg_B1D54CFC (update)',
  'aws_codedeploy_app.service-users_codedeploy_application_79FD4D51 (update)',
];

describe('the plan after a blue/green deployment', () => {
  test('the drift the plan before had, and nothing else: passes', () => {
    expect(judgeReplan(DRIFT, DRIFT, [SERVICE], 'log')).toBe(
      "2 changes, each in the plan before the deployment too (the emulator's drift: aws_autoscaling_group, aws_codedeploy_app)",
    );
  });

  test.each([
    ['the CODE_DEPLOY service', `${SERVICE}(update)`, 'the plan would change'],
    [
      'the listener rule CodeDeploy moved',
      'aws_lb_listener_rule.load-balancer_route-users_rule_8E39FF39 (update)',
      'the plan would change',
    ],
    ['the test listener', 'aws_lb_listener.load-balancer_route-users_test-listener_302EF8F9 (update)', 'the plan would change'],
    [
      'anything the plan before did not have',
      'aws_lb_target_group.load-balancer_route-users_alternate-tg_93882324 (update)',
      'changes the deployment caused',
    ],
  ])('a change to %s fails it', (_, change, message) => {
    expect(() => judgeReplan(DRIFT, [...DRIFT, change], [SERVICE], 'log')).toThrow(message);
  });

  test('another service whose address starts the same is not the CODE_DEPLOY one', () => {
    const other = 'aws_ecs_service.service-users_service_3FE09787X (update)';
    expect(() => judgeReplan([other], [other], [SERVICE], 'log')).not.toThrow();
  });
});
