// The cloud's background passes survive their database failing: the double-admission detector keeps its loop, backs
// off while passes fail, and finds pairs again once the database is whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { DoubleAdmissionDetector } from './double-admission-detector';
import { freshDatabase, type TestDatabase } from '../tests/pg-backends';
import { waitFor } from '../tests/wait';

describe('cloud background loops', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase('pglite');
  });
  afterAll(async () => t?.drop());

  it('keeps the detector running through failed passes, backing off, and recovers by itself', async () => {
    const detector = new DoubleAdmissionDetector(t.db, new Registry());
    const errors: { at: number; message: string }[] = [];
    // Break what every pass reads: as an operator's bad migration or a dropped table would.
    await t.db.query('ALTER TABLE telemetry.double_admission_watermark RENAME TO double_admission_watermark_gone');
    detector.start(0.02, (e) => errors.push({ at: Date.now(), message: e.message }));
    await waitFor('five failed passes', () => errors.length >= 5, 10_000);
    expect(errors[0]!.message).toMatch(/double_admission_watermark/);
    // 20, 40, 80, 160 ms between them: the gaps grow instead of staying at the 20 ms interval.
    const gaps = errors.slice(1, 5).map((e, i) => e.at - errors[i]!.at);
    expect(gaps[3]!).toBeGreaterThan(gaps[0]! * 3);
    await t.db.query('ALTER TABLE telemetry.double_admission_watermark_gone RENAME TO double_admission_watermark');
    const n = errors.length;
    await new Promise((r) => setTimeout(r, 2_500)); // longer than the backoff reached
    expect(errors.length).toBeLessThanOrEqual(n + 1); // a pass in flight at the rename may still fail once
    const passes = await detector.tick();
    expect(passes).toBe(0); // a working pass (nothing to flag)
    await detector.stop();
  });
});
