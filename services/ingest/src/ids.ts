import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/** Random bytes drawn from the system a block at a time: one call to the CSPRNG per 256 ids, not one per id. */
const pool = new Uint8Array(16 * 256);
let taken = pool.length;

/** The last id's millisecond and counter: ids made within one millisecond still sort in the order made. */
const state = { msecs: -Infinity, seq: 0 };

/**
 * A UUIDv7 as `uuid`'s own `v7()` makes it (monotonic within the process:
 * a 31-bit counter seeded at random each millisecond), its random bits from
 * a pool filled in blocks.
 */
export function nextId(now = Date.now()): string {
  if (taken === pool.length) {
    randomFillSync(pool);
    taken = 0;
  }
  const random = pool.subarray(taken, taken + 16);
  taken += 16;
  if (now > state.msecs) {
    state.msecs = now;
    state.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
  } else {
    state.seq = (state.seq + 1) | 0;
    if (state.seq === 0) state.msecs++;
  }
  return uuidv7({ random, msecs: state.msecs, seq: state.seq });
}
