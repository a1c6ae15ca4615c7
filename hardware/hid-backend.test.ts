// The node-hid backend on this machine: the native module loads, enumerates, and fails to open cleanly.
import { describe, expect, it } from 'vitest';
import { nodeHidBackend } from './hid-backend';

describe('nodeHidBackend', () => {
  it('enumerates through node-hid and returns plain device descriptions', async () => {
    const list = await nodeHidBackend().devices();
    expect(Array.isArray(list)).toBe(true);
    for (const d of list) expect(typeof d.path).toBe('string');
  });

  it('rejects opening a path that is not a device, instead of crashing', async () => {
    await expect(nodeHidBackend().open('/dev/seatpilot-no-such-hidraw')).rejects.toThrow();
  });
});
