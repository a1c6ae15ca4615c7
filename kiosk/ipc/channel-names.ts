// The names of the channel map's entries and pushed events, apart from their schemas: the preload needs only these,
// so it stays a few lines of code instead of carrying the schema library into every renderer.
export const CHANNEL_NAMES = ['checkin.scan', 'guests.search', 'checkin.manual', 'staff.unlock', 'staff.lock', 'kiosk.status', 'kiosk.setup', 'staff.seating', 'staff.pairTablet', 'guest.findTable', 'desk.proposeWalkIn', 'desk.addWalkIn', 'desk.move', 'desk.revert'] as const;
export type Channel = (typeof CHANNEL_NAMES)[number];

export const EVENT_NAMES = ['scan', 'status'] as const;
export type KioskEventName = (typeof EVENT_NAMES)[number];

export function isChannel(name: string): name is Channel {
  return (CHANNEL_NAMES as readonly string[]).includes(name);
}

/** The Electron ipcMain channel name of a map entry; one prefix so nothing else on ipcMain can be reached. */
export const ipcChannelName = (channel: Channel): string => `seatpilot:${channel}`;
export const ipcEventName = (event: KioskEventName): string => `seatpilot-event:${event}`;
