/** The working-hours schedule's clock: when each part acts, and the cron fields AWS takes. */
import { SCHEDULE_INSTANCE_DELAY_MINUTES, SCHEDULE_NAT_MARGIN_MINUTES } from './settings';

/** Day names as cron takes them, Sunday first (index = cron's day number). */
export const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** When each part of a working-hours schedule acts, 'HH:MM' the same day; the one place the offsets are applied. */
export interface ScheduleTimes {
  /** Services and instances scale up. */
  readonly start: string;
  /** Services scale to zero. */
  readonly stop: string;
  /** Instances scale to zero, SCHEDULE_INSTANCE_DELAY_MINUTES after the services. */
  readonly instancesStop: string;
  /** The NAT instance: SCHEDULE_NAT_MARGIN_MINUTES before `start` and after `instancesStop`. */
  readonly natStart: string;
  readonly natStop: string;
}

export function scheduleTimes(start: string, stop: string): ScheduleTimes {
  const instancesStop = timeToMinutes(stop) + SCHEDULE_INSTANCE_DELAY_MINUTES;
  return {
    start,
    stop,
    instancesStop: minutesToTime(instancesStop),
    natStart: minutesToTime(timeToMinutes(start) - SCHEDULE_NAT_MARGIN_MINUTES),
    natStop: minutesToTime(instancesStop + SCHEDULE_NAT_MARGIN_MINUTES),
  };
}

/** True for a name the IANA database knows, spelled as it spells it (AWS compares exactly). */
export function isIanaTimeZone(name: string): boolean {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone === name;
  } catch {
    return false;
  }
}

/** `MON-FRI,SUN` -> [[1, 5], [0, 0]] (0 = Sunday). */
export function dayRanges(days: string): [number, number][] {
  const index = (name: string) => DAY_NAMES.indexOf(name as (typeof DAY_NAMES)[number]);
  return days.split(',').map((part) => {
    const [from, to = from] = part.split('-');
    return [index(from), index(to)];
  });
}

/** The days as EC2 Auto Scaling's Unix cron day-of-week field: `MON-FRI` -> `1-5`. */
export function unixCronDays(days: string): string {
  return dayRanges(days)
    .map(([from, to]) => (from === to ? `${from}` : `${from}-${to}`))
    .join(',');
}

export function timeToMinutes(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h * 60 + m;
}

export function minutesToTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
