import {
  budgetVerdict,
  Instance,
  loadVerdict,
  placeTask,
  Retirement,
  retirementVerdict,
  SPOT_NOTICE_MS,
} from '../harness/rollout-spot-interruption';
import { WrkResult } from '../harness/rollout-kit';

/** A retirement done right: notice at 0, replacement healthy at 60 s, drained 30 s, SIGTERM answered in 1 s. */
const good: Retirement = {
  old: 'i1-a1',
  replacement: 'i2-r1',
  replacementInstance: 'i2',
  replacementStartedMs: 100,
  replacementHealthyMs: 60_000,
  deregisteredMs: 60_010,
  drainedMs: 90_010,
  newRequests: 0,
  sigtermMs: 90_020,
  stopMs: 1000,
  exitCode: 143,
};
const verdict = (r: Partial<Retirement>) => retirementVerdict({ ...good, ...r }, 'i1', 30_000, 30).ok;

const wrk = (w: Partial<WrkResult>): WrkResult => ({
  durationUs: 1e6,
  requests: 10,
  errors: { connect: 0, read: 0, write: 0, status: 0, timeout: 0 },
  latencyUs: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 },
  statuses: { '200': 10 },
  hosts: { 'i1-a1': 5, 'i2-r1': 5 },
  nonJson: 0,
  otherShape: 0,
  glued: 0,
  samples: [],
  routed: {},
  routedHosts: {},
  ...w,
});

describe('the spot-interruption mode of npm run test:rollout: its verdicts can fail', () => {
  it('passes a retirement in ECS order, and fails each way it can go wrong', () => {
    expect(verdict({})).toBe(true);
    expect(verdict({ replacementInstance: 'i1' })).toBe(false); // replaced on the draining instance
    expect(verdict({ replacementHealthyMs: 60_011 })).toBe(false); // deregistered before its replacement was healthy
    expect(verdict({ newRequests: 1 })).toBe(false); // traffic after deregistration
    expect(verdict({ drainedMs: 89_000 })).toBe(false); // drained shorter than the deregistration delay
    expect(verdict({ exitCode: 137 })).toBe(false); // SIGKILLed, not stopped by SIGTERM
    expect(verdict({ stopMs: 30_000 })).toBe(false); // took the whole stopTimeout
  });

  it('holds the last exit to the two-minute Spot warning on the wall clock', () => {
    expect(SPOT_NOTICE_MS).toBe(120_000);
    expect(budgetVerdict(0, [good]).ok).toBe(true);
    expect(budgetVerdict(0, [good, { ...good, sigtermMs: 119_000, stopMs: 1000 }]).ok).toBe(true);
    expect(budgetVerdict(0, [good, { ...good, sigtermMs: 119_000, stopMs: 1001 }]).ok).toBe(false);
    expect(budgetVerdict(0, []).ok).toBe(false);
  });

  it('fails the load on one non-200, one socket error, one bad body or an unknown host', () => {
    const live = ['i1-a1', 'i2-r1'];
    expect(loadVerdict(wrk({}), live).ok).toBe(true);
    expect(loadVerdict(wrk({ statuses: { '200': 9, '502': 1 } }), live).ok).toBe(false);
    expect(loadVerdict(wrk({ errors: { connect: 0, read: 1, write: 0, status: 0, timeout: 0 } }), live).ok).toBe(false);
    expect(loadVerdict(wrk({ nonJson: 1 }), live).ok).toBe(false);
    expect(loadVerdict(wrk({ hosts: { 'i1-a1': 5, stranger: 5 } }), live).ok).toBe(false);
    expect(loadVerdict(wrk({ requests: 0, statuses: {}, hosts: {} }), live).ok).toBe(false);
  });

  it('places on the ACTIVE instance with the fewest tasks, never on a DRAINING one', () => {
    const task = (name: string) => ({ name, backend: 'tasks', slot: 't1' });
    const instances: Instance[] = [
      { id: 'i1', zone: 'a', status: 'DRAINING', tasks: [] },
      { id: 'i2', zone: 'b', status: 'ACTIVE', tasks: [task('x'), task('y')] },
      { id: 'i3', zone: 'c', status: 'ACTIVE', tasks: [task('z')] },
    ];
    expect(placeTask(instances).id).toBe('i3');
    instances[2].status = 'DRAINING';
    expect(placeTask(instances).id).toBe('i2');
    instances[1].status = 'DRAINING';
    expect(() => placeTask(instances)).toThrow('no ACTIVE container instance');
  });
});
