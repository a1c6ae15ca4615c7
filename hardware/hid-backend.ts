// Where HID reports come from: node-hid on a real kiosk, an in-memory bus in tests and the demo. The scanner logic
// above it (hid-scanner.ts) is the same for both, so the simulated tests exercise the code that runs at the door.
import type * as NodeHid from 'node-hid';

export interface HidDeviceInfo {
  path: string;
  vendorId: number;
  productId: number;
  usagePage?: number;
  usage?: number;
  product?: string;
  manufacturer?: string;
  serialNumber?: string;
  interface?: number;
}

export interface HidHandle {
  onData(listener: (report: Uint8Array) => void): void;
  /** node-hid reports an unplugged device as a read error. */
  onError(listener: (error: Error) => void): void;
  close(): Promise<void>;
}

export interface HidBackend {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
}

type NodeHidModule = typeof NodeHid;

let loaded: Promise<NodeHidModule> | null = null;

async function loadNodeHid(): Promise<NodeHidModule> {
  loaded ??= import('node-hid').then(
    (m) => ((m as unknown as { default?: NodeHidModule }).default ?? m) as NodeHidModule,
    (e: unknown) => {
      loaded = null;
      throw new Error(`node-hid could not be loaded (is libusb-1.0-0 installed?): ${(e as Error).message}`);
    },
  );
  return loaded;
}

/**
 * node-hid's enumeration as the kiosk sees it: only devices it can open (a path; hidapi lists some without one), with
 * what the config matches on and `hw list` shows. node-hid's own fields beyond these (release…) are left out.
 */
export function fromNodeHid(list: readonly NodeHid.Device[]): HidDeviceInfo[] {
  return list
    .filter((d): d is typeof d & { path: string } => typeof d.path === 'string' && d.path !== '')
    .map((d) => ({
      path: d.path,
      vendorId: d.vendorId,
      productId: d.productId,
      usagePage: d.usagePage,
      usage: d.usage,
      product: d.product,
      manufacturer: d.manufacturer,
      serialNumber: d.serialNumber,
      interface: d.interface,
    }));
}

/** The real devices, through node-hid (hidraw on Linux). */
export function nodeHidBackend(): HidBackend {
  return {
    async devices() {
      const hid = await loadNodeHid();
      return fromNodeHid(await hid.devicesAsync());
    },
    async open(path) {
      const hid = await loadNodeHid();
      // nonExclusive: the OS keyboard driver may hold the same device (keyboard-emulating scanners).
      const device = await hid.HIDAsync.open(path, { nonExclusive: true });
      // An 'error' with no listener would throw out of the read thread's callback and end the process, so one is
      // attached before anything can be read.
      const errorListeners = new Set<(e: Error) => void>();
      device.on('error', (e: unknown) => {
        for (const l of errorListeners) l(e instanceof Error ? e : new Error(String(e)));
      });
      return {
        // Adding the first 'data' listener starts node-hid's read loop.
        onData: (listener) => device.on('data', (data: Buffer) => listener(new Uint8Array(data))),
        onError: (listener) => void errorListeners.add(listener),
        // node-hid marks itself closing first, so errors raised by the close itself are not emitted.
        close: () => device.close(),
      };
    },
  };
}
