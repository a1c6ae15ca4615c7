// The commands an appliance box runs (the hub, the doors): also all the box CLI (build/box-cli.ts) ships, so the
// cloud and its PGlite stay out of the package.
import type { CommandTable } from '../node-kit/dispatch';

export const BOX_COMMANDS: CommandTable = {
  agent: { summary: 'the venue hub (edge agent) and pairing of kiosks to it', load: async () => (await import('../edge-agent/cli')).agentCommand },
  doctor: { summary: 'health check of this box: config, database, scanners, hub/cloud, clock, backlog, disk', load: async () => (await import('../appliance/cli')).doctorCommand },
  hw: { summary: 'scanners, NFC readers and beacons: list devices, watch scans, decode reports, UIDs and beacon frames', load: async () => (await import('../hardware/cli')).hwCommand },
  pair: { summary: 'pair this box with the cloud or the venue hub using a single-use code', load: async () => (await import('../appliance/cli')).pairCommand },
};
