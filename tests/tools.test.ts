import { describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool, requireTool } from './tools';

describe('requireTool', () => {
  it('finds a tool that is installed', () => {
    expect(requireTool('sh', 'dash', { PATH: process.env.PATH, CI: 'true' })).toMatch(/\/sh$/);
  });

  it('fails under CI=true when the tool is missing, naming the tool and its Debian package', () => {
    expect(() => requireTool('seatpilot-no-such-tool', 'seatpilot-no-such-package', { PATH: mkdtempSync(join(tmpdir(), 'sp-path-')), CI: 'true' })).toThrow(
      /seatpilot-no-such-tool is not installed \(Debian package seatpilot-no-such-package/,
    );
  });

  it('outside CI lets the suite skip, and says what to install', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(requireTool('seatpilot-no-such-tool', 'seatpilot-no-such-package', { PATH: '/nonexistent' })).toBeUndefined();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('apt-get install seatpilot-no-such-package'));
    } finally {
      warn.mockRestore();
    }
  });

  it('takes an executable file for a tool, and neither a plain file nor a folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-path-'));
    writeFileSync(join(dir, 'sp-tool-x'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(dir, 'sp-tool-plain'), 'not a program', { mode: 0o644 });
    mkdirSync(join(dir, 'sp-tool-dir'));
    expect(findTool('sp-tool-x', { PATH: dir })).toBe(join(dir, 'sp-tool-x'));
    expect(findTool('sp-tool-plain', { PATH: dir })).toBeUndefined();
    expect(findTool('sp-tool-dir', { PATH: dir })).toBeUndefined();
  });
});
