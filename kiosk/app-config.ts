// The kiosk app's config file (`seatpilot kiosk --config FILE`, or SEATPILOT_KIOSK_CONFIG for the Electron shell):
// the database file, the check-in core's own config (kiosk/config.ts) and what the screens need. Checked once at start.
import { Type, type Static } from '@sinclair/typebox';
import { ajv, describeErrors } from '../core/contract/validate';
import { HardwareConfigSchema } from '../hardware/config';
import { KioskConfigSchema } from './config';

export const KioskUiSettingsSchema = Type.Object(
  {
    venue_name: Type.String({ minLength: 1, maxLength: 120 }),
    language: Type.Union([Type.Literal('es'), Type.Literal('en')]),
    /**
     * The steward's PIN (the name predates roles): 4–12 digits, 6 or more recommended (staffPinAdvice); kept in main,
     * never sent to the renderer.
     */
    staff_pin: Type.String({ pattern: '^[0-9]{4,12}$' }),
    /**
     * The supervisor's PIN, digits like staff_pin and different from it. Absent, the steward keeps every right (a venue
     * that set no supervisor PIN works as before roles).
     */
    supervisor_pin: Type.Optional(Type.String({ pattern: '^[0-9]{4,12}$' })),
    /** How long a result screen stays before the kiosk returns to idle. */
    result_seconds: Type.Optional(Type.Number({ minimum: 1, maximum: 120 })),
    /**
     * Keyboard-wedge scanners: keys closer than this belong to one scan (default 50). Raise it for slow Bluetooth
     * scanners; people type slower than ~150 ms a key.
     */
    scanner_max_gap_ms: Type.Optional(Type.Integer({ minimum: 10, maximum: 1000 })),
    /**
     * "Find my table" on the idle screen for guests without a ticket (default true). Per kiosk for now: a venue-wide
     * switch from the cloud would need a sync field that today's kiosks refuse.
     */
    find_my_table: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type KioskUiSettings = Static<typeof KioskUiSettingsSchema>;

export const KioskAppConfigSchema = Type.Object(
  {
    /** The kiosk's SQLite file; a relative path is taken from the config file's folder. */
    database: Type.String({ minLength: 1, maxLength: 4096 }),
    kiosk: KioskConfigSchema,
    ui: KioskUiSettingsSchema,
    /**
     * The USB scanners and readers (hardware/config.ts), read in main through node-hid. Absent: a keyboard-wedge scanner
     * types into the page and the renderer tells its bursts from typing.
     */
    hardware: Type.Optional(HardwareConfigSchema),
    /** The venue hub (edge agent) this kiosk syncs with; absent, the kiosk runs alone on the data it has. */
    hub: Type.Optional(
      Type.Object(
        {
          base_url: Type.String({ pattern: '^https?://', maxLength: 2048 }),
          key_id: Type.String({ minLength: 1, maxLength: 128 }),
          secret: Type.String({ minLength: 16, maxLength: 512 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type KioskAppConfig = Static<typeof KioskAppConfigSchema>;

const validate = ajv.compile(KioskAppConfigSchema);

/**
 * 4 and 5 digits are accepted (venues have them on cards already), but advised against: with the wrong-PIN lockout a
 * stranger gets about 300 guesses a day, a good share of 10,000 and nothing against 1,000,000. Says so at start and in
 * `seatpilot doctor`; null for 6 or more digits. Never quotes the PIN.
 */
export function staffPinAdvice(pin: string, field: 'staff_pin' | 'supervisor_pin' = 'staff_pin'): string | null {
  return pin.length < 6 ? `ui.${field} has ${pin.length} digits: 6 to 12 are recommended (a short PIN is quicker to guess)` : null;
}

/** The advice for each configured PIN (steward's, then supervisor's), for the start and `seatpilot doctor`. */
export function pinAdvice(ui: KioskUiSettings): { field: 'staff_pin' | 'supervisor_pin'; advice: string }[] {
  const out: { field: 'staff_pin' | 'supervisor_pin'; advice: string }[] = [];
  const steward = staffPinAdvice(ui.staff_pin);
  if (steward) out.push({ field: 'staff_pin', advice: steward });
  const supervisor = ui.supervisor_pin === undefined ? null : staffPinAdvice(ui.supervisor_pin, 'supervisor_pin');
  if (supervisor) out.push({ field: 'supervisor_pin', advice: supervisor });
  return out;
}

export function parseKioskAppConfig(raw: unknown, source: string): KioskAppConfig {
  if (!validate(raw)) {
    // Never echo the value: the field may be the staff PIN.
    throw new Error(`${source}: ${describeErrors(validate, 'config')}`);
  }
  const config = raw as KioskAppConfig;
  // One PIN for both roles would make every steward a supervisor without anyone noticing.
  if (config.ui.supervisor_pin === config.ui.staff_pin) throw new Error(`${source}: config/ui/supervisor_pin must differ from config/ui/staff_pin`);
  return config;
}
