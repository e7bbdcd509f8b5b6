// Settings of every destination type: one TypeBox schema per type; fields marked `writeOnly`
// are secrets, accepted but never shown back.
import type { TObject, TSchema } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv';
import { REDACTED } from '../core/redact.ts';
import { describeSchemaError, makeAjv } from '../core/schema.ts';
import { AgentError } from '../errors/index.ts';
import { azureSettings } from './azure/settings.ts';
import { dropboxSettings } from './dropbox/settings.ts';
import { ftpSettings } from './ftp/settings.ts';
import { localSettings } from './local/settings.ts';
import { s3Settings } from './s3/settings.ts';
import { sftpSettings } from './sftp/settings.ts';
import { webdavSettings } from './webdav/settings.ts';

export const destinationSettings = {
  local: localSettings,
  s3: s3Settings,
  sftp: sftpSettings,
  webdav: webdavSettings,
  azure: azureSettings,
  dropbox: dropboxSettings,
  ftp: ftpSettings,
} as const satisfies Record<string, TObject>;

export type DestinationType = keyof typeof destinationSettings;
export const DESTINATION_TYPES = Object.keys(destinationSettings) as DestinationType[];

export function isDestinationType(type: unknown): type is DestinationType {
  return typeof type === 'string' && Object.hasOwn(destinationSettings, type);
}

const ajv = makeAjv({ useDefaults: true });
const validators = new Map<DestinationType, ValidateFunction>();

/** Validates (and fills defaults into a copy of) a destination's settings. */
export function validateSettings<T extends DestinationType>(type: T, settings: unknown): (typeof destinationSettings)[T]['static'] {
  if (!isDestinationType(type)) {
    throw new AgentError('AGENT_E_INVALID', `unknown destination type ${JSON.stringify(type)}; known: ${DESTINATION_TYPES.join(', ')}`, { data: { field: 'type' } });
  }
  let validate = validators.get(type);
  if (!validate) validators.set(type, validate = ajv.compile(destinationSettings[type]));
  const copy = structuredClone(settings);
  if (!validate(copy)) {
    const p = describeSchemaError(validate.errors);
    throw new AgentError('AGENT_E_INVALID', `${type} destination: ${p.field || 'settings'} ${p.message}`, { data: { field: p.field } });
  }
  return copy as (typeof destinationSettings)[T]['static'];
}

/** The settings as they may be shown: every secret field replaced by "***". */
export function publicSettings(type: DestinationType, settings: Record<string, unknown>): Record<string, unknown> {
  return hideSecrets(destinationSettings[type], settings) as Record<string, unknown>;
}

function hideSecrets(schema: TSchema, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const props = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const field = props[k] as (TSchema & { writeOnly?: boolean }) | undefined;
    out[k] = field?.writeOnly && v !== undefined && v !== '' ? REDACTED : field ? hideSecrets(field, v) : v;
  }
  return out;
}
