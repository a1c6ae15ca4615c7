// The edge agent's configuration file, validated at start: a bad config stops the agent with the field named.
import { dirname, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { ajv, describeErrors } from '../core/contract/validate';
import { BeaconDwellOptionsSchema } from '../core/arrival/beacon-dwell';
import { ConfigFileError, loadConfigFile } from '../node-kit/config-file';
import { DEFAULT_SECRET_KEY_FILE_NAME } from '../node-kit/secret-box';

const Id = Type.String({ minLength: 1, maxLength: 128 });

export const AgentConfigSchema = Type.Object(
  {
    /** The venue this hub serves (as registered in the cloud). */
    venue_id: Id,
    /** The agent's own device id in the cloud. */
    device_id: Id,
    listen: Type.Optional(
      Type.Object(
        { host: Type.Optional(Type.String({ minLength: 1 })), port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })) },
        { additionalProperties: false },
      ),
    ),
    /** The SQLite file; relative paths are relative to the config file. */
    database: Type.Optional(Type.String({ minLength: 1 })),
    /**
     * The key that seals the doors' secrets in the database (protocol/secret-box.ts), kept apart from it; relative to
     * the config file. Default `seatpilot-secrets.key` beside the config file. Made on first start when absent.
     */
    secret_key_file: Type.Optional(Type.String({ minLength: 1 })),
    /** Where to push events and pull the guest list from; without it the agent runs the venue alone. */
    cloud: Type.Optional(
      Type.Object(
        { url: Type.String({ pattern: '^https?://' }), key_id: Id, secret: Type.String({ minLength: 16 }) },
        { additionalProperties: false },
      ),
    ),
    push_interval_ms: Type.Optional(Type.Integer({ minimum: 50, maximum: 600_000 })),
    pull_interval_ms: Type.Optional(Type.Integer({ minimum: 50, maximum: 600_000 })),
    heartbeat_interval_s: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    /** Table tablets and beacons (edge-agent/tablet). */
    tablet: Type.Optional(
      Type.Object(
        {
          undo_seconds: Type.Optional(Type.Number({ minimum: 0, maximum: 300 })),
          pairing_ttl_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
          dwell: Type.Optional(Type.Partial(BeaconDwellOptionsSchema)),
        },
        { additionalProperties: false },
      ),
    ),
    /** The venue desk (edge-agent/desk): walk-ins of more than `steward_walk_in_max` people need a supervisor (default 4). */
    desk: Type.Optional(
      Type.Object({ steward_walk_in_max: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type AgentConfig = Static<typeof AgentConfigSchema>;

export class AgentConfigError extends Error {
  override name = 'AgentConfigError';
}

const validate = ajv.compile(AgentConfigSchema);

export function parseAgentConfig(raw: unknown): AgentConfig {
  if (!validate(raw)) throw new AgentConfigError(`agent config: ${describeErrors(validate)}`);
  return raw as AgentConfig;
}

export interface LoadedAgentConfig {
  config: AgentConfig;
  /** The database path, resolved. */
  databaseFile: string;
  /** The secret key file, resolved. */
  secretKeyFile: string;
}

export function loadAgentConfig(file: string): LoadedAgentConfig {
  let config: AgentConfig;
  try {
    config = loadConfigFile(file, AgentConfigSchema, 'agent config');
  } catch (e) {
    if (e instanceof ConfigFileError) throw new AgentConfigError(e.message);
    throw e;
  }
  const dir = dirname(resolve(file));
  return { config, databaseFile: resolve(dir, config.database ?? 'agent.sqlite'), secretKeyFile: resolve(dir, config.secret_key_file ?? DEFAULT_SECRET_KEY_FILE_NAME) };
}
