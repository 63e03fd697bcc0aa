import { DateTime } from 'luxon';

/** A digest time of day, from HH:MM. */
export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
}

export function parseTimeOfDay(hhmm: string): TimeOfDay | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  return match ? { hour: Number(match[1]), minute: Number(match[2]) } : undefined;
}

const minute = 60_000;

/**
 * The instant of `time` on the local date `date` in `zone`. A time the
 * spring-forward gap skips becomes the first minute after the gap; a time the
 * autumn hour repeats is its first occurrence, so each date has exactly one.
 */
function slotOn(date: DateTime, time: TimeOfDay, zone: string): DateTime {
  const wall = { year: date.year, month: date.month, day: date.day, hour: time.hour, minute: time.minute };
  const asUtc = DateTime.fromObject(wall, { zone: 'utc' }).toMillis();
  // The offsets around that date: one usually, two on the days the clocks change.
  const before = DateTime.fromMillis(asUtc, { zone }).minus({ days: 1 }).offset;
  const after = DateTime.fromMillis(asUtc, { zone }).plus({ days: 1 }).offset;
  const matches = [...new Set([before, after])]
    .map((offset) => DateTime.fromMillis(asUtc - offset * minute, { zone }))
    .filter((d) => d.hour === time.hour && d.minute === time.minute)
    .sort((a, b) => a.toMillis() - b.toMillis());
  if (matches[0]) return matches[0];
  // In the gap: the transition is the first instant with the later offset (DST gaps are whole minutes).
  let lo = asUtc - after * minute;
  let hi = asUtc - before * minute;
  while (hi - lo > minute) {
    const mid = lo + Math.floor((hi - lo) / minute / 2) * minute;
    if (DateTime.fromMillis(mid, { zone }).offset === before) lo = mid;
    else hi = mid;
  }
  return DateTime.fromMillis(hi, { zone });
}

/** The first digest slot strictly after `after`. */
export function nextSlot(time: TimeOfDay, zone: string, after: Date): Date {
  let date = DateTime.fromJSDate(after, { zone }).startOf('day');
  for (;;) {
    const slot = slotOn(date, time, zone);
    if (slot.toMillis() > after.getTime()) return slot.toJSDate();
    date = date.plus({ days: 1 });
  }
}

/** The latest digest slot at or before `at`, and the slot of the local day before it: the digest's window. */
export function latestSlot(time: TimeOfDay, zone: string, at: Date): { start: Date; end: Date } {
  let date = DateTime.fromJSDate(at, { zone }).startOf('day');
  let slot = slotOn(date, time, zone);
  if (slot.toMillis() > at.getTime()) {
    date = date.minus({ days: 1 });
    slot = slotOn(date, time, zone);
  }
  return { start: slotOn(date.minus({ days: 1 }), time, zone).toJSDate(), end: slot.toJSDate() };
}

/** True when `zone` is an IANA zone luxon knows. */
export function isZone(zone: string): boolean {
  return zone !== '' && DateTime.local({ zone }).isValid;
}
