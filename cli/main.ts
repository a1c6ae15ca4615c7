// The `seatpilot` command: every process's subcommand, through the one dispatcher (node-kit/dispatch.ts).
import { dispatch, type CommandTable } from '../node-kit/dispatch';
import { BOX_COMMANDS } from './box-commands';

const COMMANDS: CommandTable = {
  ...BOX_COMMANDS,
  demo: { summary: 'the whole system on this machine: cloud, venue hub, two kiosks in browser mode, tablet page', load: async () => (await import('./demo')).demoCommand },
  cloud: { summary: 'the cloud service and its admin commands (tenants, venues, devices, keys, migrations)', load: async () => (await import('../cloud-sync/cli')).cloudCommand },
  kiosk: { summary: 'the door kiosk UI: --browser serves it over HTTP (Chromium kiosk mode, browser tests)', load: async () => (await import('../kiosk/cli')).kioskCommand },
  smoke: { summary: 'after a deploy: --cloud https://HOST checks the cloud end to end with a device key made for it, then revoked', load: async () => (await import('./smoke-cloud')).smokeCommand },
  seating: { summary: 'the seating engine: solve a seating problem (SYSTEM.md format) into a plan', load: async () => (await import('../seating/cli')).seatingCommand },
};

export function main(argv: string[]): Promise<void> {
  return dispatch(COMMANDS, argv);
}
