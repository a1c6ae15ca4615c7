// The floors of the house, as eslint.config.js enforces them: a tier never imports another tier or the top floor, the
// floors below the tiers import neither, and core/ and the pages stay pure. Each line here is a violation the lint must
// report, or a legal import it must let through.
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { ROOT } from './procs';

const eslint = new ESLint({ cwd: ROOT });
async function restricted(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('floor rules', () => {
  it.each([
    ['kiosk/x.ts', "import { AgentStore } from '../edge-agent/store';\nvoid AgentStore;\n", /tiers stand side by side.*edge-agent/],
    ['edge-agent/x.ts', "import { openStore } from '../kiosk/kiosk-store';\nvoid openStore;\n", /tiers stand side by side.*kiosk/],
    ['edge-agent/tablet/x.ts', "import { buildApp } from '../../cloud-sync/app';\nvoid buildApp;\n", /tiers stand side by side.*cloud-sync/],
    ['cloud-sync/x.ts', "import { main } from '../cli/main';\nvoid main;\n", /never imports the top floor.*cli/],
    ['kiosk/x.ts', "import { runDoctor } from '../appliance/doctor';\nvoid runDoctor;\n", /never imports the top floor.*appliance/],
    ['protocol/x.ts', "import { startAgent } from '../edge-agent/runtime';\nvoid startAgent;\n", /below the tiers never imports a tier.*edge-agent/],
    ['venue-store/x.ts', "import { waitFor } from '../tests/wait';\nvoid waitFor;\n", /below the tiers never imports the top floor.*tests/],
    ['core/checkin/x.ts', "import { openStore } from '../../venue-store/open';\nvoid openStore;\n", /no floor with I\/O.*venue-store/],
    ['core/x.ts', "import { readFileSync } from 'node:fs';\nvoid readFileSync;\n", /no Node built-ins|stay pure/],
    ['kiosk/renderer/x.ts', "import { CheckinService } from '../../edge-agent/store';\nvoid CheckinService;\n", /no floor with I\/O.*edge-agent/],
  ])('%s: refuses %s', async (file, source, message) => {
    const found = await restricted(file, source);
    expect(found.some((m) => message.test(m)), found.join('\n') || 'no restricted import reported').toBe(true);
  });

  it.each([
    ['kiosk/x.ts', "import { openStore } from '../venue-store/open';\nimport { SignedHttp } from '../protocol/http-client';\nimport { decide } from '../core/checkin/decide';\nvoid openStore; void SignedHttp; void decide;\n"],
    ['edge-agent/x.ts', "import { parseOptions } from '../node-kit/cli';\nvoid parseOptions;\n"],
    ['cli/x.ts', "import { startAgent } from '../edge-agent/runtime';\nimport { buildApp } from '../cloud-sync/app';\nvoid startAgent; void buildApp;\n"],
    ['edge-agent/x.test.ts', "import { buildApp } from '../cloud-sync/app';\nvoid buildApp;\n"],
  ])('%s: lets a legal import through', async (file, source) => {
    expect(await restricted(file, source)).toEqual([]);
  });
});
