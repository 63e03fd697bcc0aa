import { describe, expect, it } from '@jest/globals';
import { validate, version } from 'uuid';
import { nextId } from './ids.js';

describe('nextId', () => {
  it('makes distinct version-7 UUIDs that sort in the order made, within one millisecond and across many', () => {
    const sameMillisecond = Array.from({ length: 1_000 }, () => nextId(1_700_000_000_000));
    const later = Array.from({ length: 1_000 }, (_, i) => nextId(1_700_000_000_001 + Math.floor(i / 7)));
    const ids = [...sameMillisecond, ...later];
    for (const id of [ids[0]!, ids[999]!, ids[1_999]!]) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('carries the time it was made in its first 48 bits', () => {
    const at = Date.UTC(2026, 10, 29, 12, 0, 0);
    expect(
      parseInt(
        nextId(at + 60_000)
          .replace(/-/g, '')
          .slice(0, 12),
        16,
      ),
    ).toBe(at + 60_000);
  });
});
