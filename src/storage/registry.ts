// From a destination's type to the backend that serves it. Backends are loaded on first use so
// a daemon that never talks to Azure never loads its SDK (start-up time matters on busy hosts).
import type { Destination } from '../core/destination.ts';
import { type DestinationType, validateSettings } from './settings.ts';
import { DEFAULT_RETRY, RetryingDestination, type RetryPolicy } from './wrappers/retry.ts';
import { VerifyingDestination } from './wrappers/verify.ts';
import { ObservedDestination, type DestinationFailureObserver } from './wrappers/observe.ts';

export interface DestinationSpec {
  name: string;
  type: DestinationType | string;
  settings: Record<string, unknown>;
}

type Factory = (name: string, settings: any) => Promise<Destination>;

const factories: Record<DestinationType, Factory> = {
  local: async (n, s) => new (await import('./local/local-destination.ts')).LocalDestination(n, s),
  s3: async (n, s) => new (await import('./s3/s3-destination.ts')).S3Destination(n, s),
  sftp: async (n, s) => new (await import('./sftp/sftp-destination.ts')).SftpDestination(n, s),
  webdav: async (n, s) => new (await import('./webdav/webdav-destination.ts')).WebdavDestination(n, s),
  azure: async (n, s) => new (await import('./azure/azure-destination.ts')).AzureDestination(n, s),
  dropbox: async (n, s) => new (await import('./dropbox/dropbox-destination.ts')).DropboxDestination(n, s),
  ftp: async (n, s) => new (await import('./ftp/ftp-destination.ts')).FtpDestination(n, s),
};

/** Validates the settings (AGENT_E_INVALID naming the field) and builds the backend. No I/O happens yet. */
export async function createDestination(spec: DestinationSpec): Promise<Destination> {
  const type = spec.type as DestinationType;
  const settings = validateSettings(type, spec.settings);
  return factories[type](spec.name, settings);
}

/**
 * The destination as jobs use it: every upload verified against what the backend stored, and
 * transient failures retried with backoff (putFrom for re-openable bodies). `onFailure` hears of
 * every failed attempt, retried or not.
 */
export async function openDestination(spec: DestinationSpec, retry: RetryPolicy = DEFAULT_RETRY, onFailure?: DestinationFailureObserver): Promise<RetryingDestination> {
  const verified = new VerifyingDestination(await createDestination(spec));
  return new RetryingDestination(onFailure ? new ObservedDestination(verified, onFailure) : verified, retry);
}
