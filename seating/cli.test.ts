import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPlanShape, type SeatingProblem } from '../core/seating/problem';
import { checkPlan } from '../core/seating/score';
import { runCli } from '../tests/cli-run';

const dir = mkdtempSync(join(tmpdir(), 'seating-cli-'));
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const problem: SeatingProblem = {
  tables: [{ id: 'T1', capacity: 6, tags: ['accessible'] }, { id: 'T2', capacity: 6 }],
  parties: [{ id: 'P1', size: 2, needs: ['accessible'] }, { id: 'P2', size: 3 }, { id: 'P3', size: 3 }, { id: 'P4', size: 12 }],
  relations: [{ a: 'P1', b: 'P2', score: 4 }, { a: 'P2', b: 'P3', apart: true }, { a: 'P1', b: 'P3', score: -2 }],
};

describe('seatpilot seating solve', () => {
  it('prints the plan as one JSON object and exits 0, also for a partial plan', async () => {
    const r = await runCli(['seating', 'solve', write('ok.json', JSON.stringify(problem)), '--time-limit-ms', '3000', '--seed', '7']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const plan = JSON.parse(r.stdout);
    expect(checkPlanShape(plan).ok).toBe(true);
    expect(checkPlan(problem, plan)).toEqual({ ok: true });
    expect(plan).toMatchObject({ score: 4, optimal: true, gap: 0, unseated: [{ party: 'P4', reason: 'party_larger_than_any_table' }] });
  });

  it('--no-exact solves without HiGHS', async () => {
    const r = await runCli(['seating', 'solve', write('ok2.json', JSON.stringify(problem)), '--no-exact', '--time-limit-ms', '200']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).score).toBe(4);
  });

  it('a bad file exits 2 naming the field, without the file\'s values', async () => {
    const bad = { ...problem, relations: [{ a: 'P1', b: 'SECRET-ID', score: 1 }] };
    const r = await runCli(['seating', 'solve', write('bad.json', JSON.stringify(bad))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: relations\[0\]\.b names no party/);
    expect(r.stderr).not.toContain('SECRET-ID');
    expect(r.stdout).toBe('');
  });

  it('a file that is not JSON exits 2 naming the file, never echoing it', async () => {
    const file = write('broken.json', '{"tables": [SECRET-TOKEN-123');
    const r = await runCli(['seating', 'solve', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file} is not valid JSON`);
    expect(r.stderr).not.toContain('SECRET-TOKEN');
  });

  it('a bad option exits 2', async () => {
    const r = await runCli(['seating', 'solve', write('ok3.json', JSON.stringify(problem)), '--seed', '1.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--seed must be a whole number/);
  });
});
