// Event ids: UUID version 7 (RFC 9562 §5.7), time-ordered. The 48-bit Unix millisecond timestamp comes first, so ids
// made one after another sort one after another: every index keyed on event_id (the kiosk's check-ins and outbox, the
// cloud's claim table and events) grows at its right edge instead of touching a random page per event. On the kiosk
// that turns two random page writes per check-in into appends that the WAL checkpoint coalesces.
// Pure: randomness from WebCrypto's getRandomValues (a web standard, global in Node, browsers and Electron).

/** Fills `bytes` with random values; injectable so tests can be deterministic. */
export type RandomFill = (bytes: Uint8Array) => void;

// Each getRandomValues call costs a couple of microseconds whatever its size, a fair share of a check-in's CPU; so
// random bytes are drawn 4 KiB at a time and handed out in order. Every byte is used once.
const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let poolAt = POOL_BYTES;

const defaultFill: RandomFill = (bytes) => {
  if (bytes.length > POOL_BYTES) {
    globalThis.crypto.getRandomValues(bytes);
    return;
  }
  if (poolAt + bytes.length > POOL_BYTES) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  bytes.set(pool.subarray(poolAt, poolAt + bytes.length));
  poolAt += bytes.length;
};

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function format(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[b[i] as number];
  }
  return s;
}

/**
 * One UUIDv7 for `ms` (Unix milliseconds, 0 ≤ ms < 2^48) with the 12-bit `counter` in rand_a (RFC 9562 method 1) and
 * random bits in rand_b.
 */
export function uuidv7(ms: number, counter: number, fill: RandomFill = defaultFill): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= 2 ** 48) throw new RangeError(`a UUIDv7 timestamp is 0 to 2^48 - 1 ms, got ${ms}`);
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xfff) throw new RangeError(`the counter is 12 bits, got ${counter}`);
  const b = new Uint8Array(16);
  fill(b.subarray(8));
  // 48-bit big-endian timestamp; the high 16 bits separately, as JS bit operations are 32-bit.
  const high = Math.floor(ms / 2 ** 32);
  const low = ms % 2 ** 32;
  b[0] = (high >>> 8) & 0xff;
  b[1] = high & 0xff;
  b[2] = (low >>> 24) & 0xff;
  b[3] = (low >>> 16) & 0xff;
  b[4] = (low >>> 8) & 0xff;
  b[5] = low & 0xff;
  b[6] = 0x70 | (counter >>> 8); // version 7
  b[7] = counter & 0xff;
  b[8] = 0x80 | ((b[8] as number) & 0x3f); // variant 10
  return format(b);
}

/**
 * A generator of strictly increasing UUIDv7s. Within one millisecond the 12-bit counter counts up from a random start in
 * its lower half; should it run out (over 2,048 ids in a millisecond), or the clock step back, the id takes the last
 * millisecond used plus one, so order holds whatever the clock does. Collisions between devices are as unlikely as
 * with v4: 62 random bits per id on top of the time.
 */
export function eventIdGenerator(clock: () => number = Date.now, fill: RandomFill = defaultFill): () => string {
  let lastMs = -1;
  let counter = 0;
  const seed = new Uint8Array(2);
  const startCounter = () => {
    fill(seed);
    return (((seed[0] as number) << 8) | (seed[1] as number)) & 0x7ff;
  };
  return () => {
    const now = Math.floor(clock());
    if (now <= lastMs && counter < 0xfff) {
      counter++;
    } else {
      lastMs = Math.max(now, lastMs + 1);
      counter = startCounter();
    }
    return uuidv7(lastMs, counter, fill);
  };
}

/** The process-wide generator on the system clock: what every producer of events uses unless a test injects its own. */
export const newEventId: () => string = eventIdGenerator();
