import { Testing } from 'cdktf';
import { addEnvironmentStacks } from '../src/app';
import { selectEnvironments } from '../src/environment/select';
import { readRolloutSettings } from '../harness/rollout-settings';
import { blueGreenConfig, statusMatches, targetGroups } from '../harness/rollout-blue-green';
import { scaledTimeouts } from '../harness/rollout-kit';

describe('the blue/green mode of npm run test:rollout', () => {
  const [stack] = addEnvironmentStacks(Testing.app(), selectEnvironments(['dev']));
  const settings = readRolloutSettings(JSON.parse(Testing.synth(stack)));
  const config = blueGreenConfig(
    settings,
    scaledTimeouts(settings, 1),
    '/x/haproxy.sock',
    { production: 8080, test: 8081 },
    '/x/routes.map',
    targetGroups(3),
  );

  it('routes each listener through its entry of the routes map, one lookup per request, and tags the response', () => {
    for (const [listener, port] of [
      ['production', 8080],
      ['test', 8081],
    ]) {
      const frontend = config.split('\nfrontend ').find((f) => f.startsWith(`${listener}\n`))!;
      expect(frontend).toContain(`bind 127.0.0.1:${port}`);
      expect(frontend).toContain(`http-request set-var(txn.target_group) str(${listener}),map(/x/routes.map)`);
      expect(frontend).toContain('use_backend %[var(txn.target_group)]');
      expect(frontend).toContain('http-after-response set-header X-Rollout-Target-Group %[var(txn.target_group)]');
      expect(frontend).not.toContain('default_backend');
    }
  });

  it("gives both target groups dev's health check, thresholds and slots for two task sets", () => {
    const hc = settings.healthCheck;
    for (const [backend, prefix] of [
      ['blue', 'b'],
      ['green', 'g'],
    ]) {
      const section = config.split('\nbackend ').find((b) => b.startsWith(`${backend}\n`))!;
      expect(section).toContain(`http-check send meth GET uri ${hc.path} `);
      expect(section).toContain(`http-check expect status ${hc.matcher}`);
      expect(section).toContain(`inter ${hc.intervalS * 1000}ms`);
      expect(section).toContain(`rise ${hc.healthyThreshold} fall ${hc.unhealthyThreshold}`);
      expect(section).toContain(`server-template ${prefix} 1-6 `);
    }
  });

  it('reads an ALB matcher as the target group does: one code, a list, a range', () => {
    expect(statusMatches('200', 200)).toBe(true);
    expect(statusMatches('200', 503)).toBe(false);
    expect(statusMatches('200,202', 202)).toBe(true);
    expect(statusMatches('200-299', 204)).toBe(true);
    expect(statusMatches('200-299', 301)).toBe(false);
  });
});
