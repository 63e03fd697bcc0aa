import { describe, expect, it } from '@jest/globals';
import { latestSlot, nextSlot, parseTimeOfDay } from './digest-time.js';

const at = (iso: string) => new Date(iso);
const time = (hhmm: string) => parseTimeOfDay(hhmm)!;

describe('digest time', () => {
  it('parses HH:MM and refuses anything else', () => {
    expect(parseTimeOfDay('18:00')).toEqual({ hour: 18, minute: 0 });
    for (const bad of ['24:00', '7:00', '18:60', '', '18:00:00']) expect(parseTimeOfDay(bad)).toBeUndefined();
  });

  it('is the next 18:00 in the zone, today or tomorrow', () => {
    expect(nextSlot(time('18:00'), 'Europe/Madrid', at('2026-06-10T10:00:00Z'))).toEqual(at('2026-06-10T16:00:00Z'));
    expect(nextSlot(time('18:00'), 'Europe/Madrid', at('2026-06-10T16:00:00Z'))).toEqual(at('2026-06-11T16:00:00Z'));
  });

  it('sends a time skipped by spring forward at the next valid minute (Europe/Berlin, America/New_York)', () => {
    // 2026-03-29: Berlin jumps from 02:00 to 03:00 local.
    expect(nextSlot(time('02:30'), 'Europe/Berlin', at('2026-03-28T12:00:00Z'))).toEqual(at('2026-03-29T01:00:00Z'));
    // 2026-03-08: New York jumps from 02:00 to 03:00 local.
    expect(nextSlot(time('02:30'), 'America/New_York', at('2026-03-07T12:00:00Z'))).toEqual(at('2026-03-08T07:00:00Z'));
    // The day after, the same time exists again.
    expect(nextSlot(time('02:30'), 'Europe/Berlin', at('2026-03-29T01:00:00Z'))).toEqual(at('2026-03-30T00:30:00Z'));
  });

  it('sends the repeated autumn hour once (Europe/Berlin, America/New_York)', () => {
    // 2026-10-25: Berlin's 02:00–03:00 happens twice.
    const first = nextSlot(time('02:30'), 'Europe/Berlin', at('2026-10-24T12:00:00Z'));
    expect(first).toEqual(at('2026-10-25T00:30:00Z'));
    expect(nextSlot(time('02:30'), 'Europe/Berlin', first)).toEqual(at('2026-10-26T01:30:00Z'));
    // 2026-11-01: New York's 01:00–02:00 happens twice.
    const ny = nextSlot(time('01:30'), 'America/New_York', at('2026-10-31T12:00:00Z'));
    expect(ny).toEqual(at('2026-11-01T05:30:00Z'));
    expect(nextSlot(time('01:30'), 'America/New_York', ny)).toEqual(at('2026-11-02T06:30:00Z'));
  });

  it('keeps 18:00 local across the change, so the window is 23 or 25 hours on those days', () => {
    const spring = latestSlot(time('18:00'), 'Europe/Berlin', at('2026-03-29T16:00:00Z'));
    expect(spring).toEqual({ start: at('2026-03-28T17:00:00Z'), end: at('2026-03-29T16:00:00Z') });
    const autumn = latestSlot(time('18:00'), 'America/New_York', at('2026-11-01T23:30:00Z'));
    expect(autumn).toEqual({ start: at('2026-10-31T22:00:00Z'), end: at('2026-11-01T23:00:00Z') });
  });

  it('names the latest missed slot, not one per missed day', () => {
    const window = latestSlot(time('18:00'), 'UTC', at('2026-06-13T09:00:00Z'));
    expect(window).toEqual({ start: at('2026-06-11T18:00:00Z'), end: at('2026-06-12T18:00:00Z') });
  });
});
