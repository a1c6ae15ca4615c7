// The kiosk's own configuration (who it is, which door, how its scanner types), validated once at start.
import { Type, type Static } from '@sinclair/typebox';
import { ajv, describeErrors } from '../core/contract/validate';
import type { NormalizeOptions } from '../core/checkin/credential';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const ByteOrder = Type.Union([Type.Literal('card'), Type.Literal('reversed')]);

export const KioskConfigSchema = Type.Object(
  {
    venue_id: Id,
    device_id: Id,
    /** The door this kiosk stands at, unless a scan names another. */
    door_id: Id,
    /** The occasion to check in; when absent the kiosk picks it by time (core/checkin/decide.ts pickOccasion). */
    occasion_id: Type.Optional(Type.Union([Id, Type.Null()])),
    /** A repeated scan of the same guest at this door within this many ms is "already checked in just now". */
    double_scan_window_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 })),
    scanner: Type.Optional(
      Type.Object(
        {
          prefixes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 16 }), { maxItems: 16 })),
          suffixes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 16 }), { maxItems: 16 })),
          nfc_byte_order: Type.Optional(ByteOrder),
          nfc_decimal_byte_order: Type.Optional(ByteOrder),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type KioskConfig = Static<typeof KioskConfigSchema>;

export const DEFAULT_DOUBLE_SCAN_WINDOW_MS = 10_000;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const validateConfig = ajv.compile(KioskConfigSchema);

/** A config from a file or the command line, checked: the error names the field ("kiosk config: /door_id must …"). */
export function parseKioskConfig(raw: unknown): KioskConfig {
  if (!validateConfig(raw)) throw new ConfigError(`kiosk config: ${describeErrors(validateConfig)}`);
  return raw as KioskConfig;
}

export function normalizeOptionsOf(config: KioskConfig): NormalizeOptions {
  const s = config.scanner ?? {};
  return {
    prefixes: s.prefixes ?? [],
    suffixes: s.suffixes ?? [],
    nfcByteOrder: s.nfc_byte_order ?? 'card',
    nfcDecimalByteOrder: s.nfc_decimal_byte_order ?? 'reversed',
  };
}
