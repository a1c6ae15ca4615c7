// Which HID devices the kiosk uses and as what: validated at start, and a bad file stops with the field named.
import { ConfigFileError, readJsonFile } from '../node-kit/config-file';
import { Type, type Static } from '@sinclair/typebox';
import { ajv, describeErrors } from '../core/contract/validate';
import { KEYBOARD_LAYOUTS } from '../core/decoders/hid-keyboard';
import { NFC_UID_FORMS } from '../core/decoders/nfc-uid';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const DeviceRoleSchema = literals(['keyboard-scanner', 'pos-scanner', 'nfc-keyboard', 'nfc-raw'] as const);
export type DeviceRole = Static<typeof DeviceRoleSchema>;

/** USB ids as people write them: 3118, "0x0c2e" or "0c2e". */
const UsbIdSchema = Type.Union([Type.Integer({ minimum: 0, maximum: 0xffff }), Type.String({ pattern: '^(0[xX])?[0-9a-fA-F]{1,4}$' })]);
const Byte = Type.Integer({ minimum: 0, maximum: 255 });
const Offset = Type.Integer({ minimum: 0, maximum: 1023 });

export const PosLayoutSchema = Type.Object(
  { reportId: Byte, lengthOffset: Offset, symbologyOffset: Offset, dataOffset: Offset, moreOffset: Type.Union([Offset, Type.Null()]), dataCapacity: Type.Integer({ minimum: 1, maximum: 1024 }) },
  { additionalProperties: false },
);

/** Readers that report the UID as bytes: [report id][length][uid bytes…] by default. */
export const NfcRawLayoutSchema = Type.Object(
  { reportId: Type.Union([Byte, Type.Null()]), lengthOffset: Offset, uidOffset: Offset },
  { additionalProperties: false },
);
export type NfcRawLayout = Static<typeof NfcRawLayoutSchema>;
export const DEFAULT_NFC_RAW_LAYOUT: NfcRawLayout = { reportId: null, lengthOffset: 0, uidOffset: 1 };

export const DeviceConfigSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    role: DeviceRoleSchema,
    vendorId: UsbIdSchema,
    productId: UsbIdSchema,
    /** Needed when one device shows several interfaces (a scanner's keyboard and its POS interface). */
    usagePage: Type.Optional(UsbIdSchema),
    serialNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** The keyboard layout a keyboard-emulating device is configured for. */
    layout: Type.Optional(literals(KEYBOARD_LAYOUTS)),
    /** How an NFC reader delivers the UID (see core/decoders/nfc-uid.ts). */
    uidForm: Type.Optional(literals(NFC_UID_FORMS)),
    /** Keyboard interfaces with numbered reports put this report ID before the 8 boot-report bytes. */
    reportId: Type.Optional(Byte),
    posLayout: Type.Optional(PosLayoutSchema),
    nfcRawLayout: Type.Optional(NfcRawLayoutSchema),
  },
  { additionalProperties: false },
);
export type DeviceConfig = Static<typeof DeviceConfigSchema>;

export const HardwareConfigSchema = Type.Object(
  {
    devices: Type.Array(DeviceConfigSchema, { maxItems: 32 }),
    /** How often a missing device is looked for: well under the 2 s reconnect promise. */
    pollMs: Type.Optional(Type.Integer({ minimum: 50, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type HardwareConfig = Static<typeof HardwareConfigSchema>;

const validateConfig = ajv.compile(HardwareConfigSchema);

export function usbId(v: number | string): number {
  return typeof v === 'number' ? v : parseInt(v.replace(/^0x/i, ''), 16);
}

export function checkHardwareConfig(raw: unknown): { ok: true; config: HardwareConfig } | { ok: false; reason: string } {
  if (!validateConfig(raw)) return { ok: false, reason: describeErrors(validateConfig) };
  const config = raw as HardwareConfig;
  const names = new Set<string>();
  for (const [i, d] of config.devices.entries()) {
    if (names.has(d.name)) return { ok: false, reason: `/devices/${i}/name "${d.name}" is used twice` };
    names.add(d.name);
  }
  return { ok: true, config };
}

export function loadHardwareConfig(path: string): { ok: true; config: HardwareConfig } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = readJsonFile(path, 'hardware config');
  } catch (e) {
    if (e instanceof ConfigFileError) return { ok: false, reason: e.message };
    throw e;
  }
  const checked = checkHardwareConfig(raw);
  return checked.ok ? checked : { ok: false, reason: `${path}: ${checked.reason}` };
}
