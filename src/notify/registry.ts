// Scheme -> service, and the one entry point that turns a notification URL into a target.
import { AgentError } from '../errors/index.ts';
import { scrubSecrets } from './secrets.ts';
import { notifyUrlError } from './url-parts.ts';
import type { NotificationTarget, NotifyService } from './types.ts';
import { bark } from './services/bark.ts';
import { discord } from './services/discord.ts';
import { generic } from './services/generic.ts';
import { googlechat } from './services/googlechat.ts';
import { gotify } from './services/gotify.ts';
import { ifttt } from './services/ifttt.ts';
import { join } from './services/join.ts';
import { matrix } from './services/matrix.ts';
import { mattermost } from './services/mattermost.ts';
import { ntfy } from './services/ntfy.ts';
import { opsgenie } from './services/opsgenie.ts';
import { pushbullet } from './services/pushbullet.ts';
import { pushover } from './services/pushover.ts';
import { rocketchat } from './services/rocketchat.ts';
import { slack } from './services/slack.ts';
import { smtp } from './services/smtp.ts';
import { teams } from './services/teams.ts';
import { telegram } from './services/telegram.ts';
import { zulip } from './services/zulip.ts';

export const SERVICES: readonly NotifyService<any>[] = [
  bark, discord, generic, googlechat, gotify, ifttt, join, matrix, mattermost, ntfy, opsgenie,
  pushbullet, pushover, rocketchat, slack, smtp, teams, telegram, zulip,
];

const BY_SCHEME = new Map<string, NotifyService<any>>(SERVICES.flatMap((s) => s.schemes.map((scheme) => [scheme, s] as const)));

export const SUPPORTED_SCHEMES: readonly string[] = [...BY_SCHEME.keys()].sort();

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

export interface ParsedNotificationUrl extends NotificationTarget {
  readonly serviceImpl: NotifyService<any>;
}

/** Parses a shoutrrr-style URL; throws AGENT_E_NOTIFY_URL naming the wrong part (never echoing secrets). */
export function parseNotificationUrl(raw: string): ParsedNotificationUrl {
  if (typeof raw !== 'string' || raw.trim() === '') notifyUrlError('notification', 'the URL', 'is empty');
  const text = raw.trim();
  const m = SCHEME.exec(text);
  if (!m) return notifyUrlError('notification', 'the scheme', 'is missing (expected service://...)');
  const scheme = m[1].toLowerCase();
  const service = BY_SCHEME.get(scheme);
  if (!service) {
    throw new AgentError('AGENT_E_NOTIFY_URL', `notification URL: the scheme "${scheme}" is not a known service (known: ${SUPPORTED_SCHEMES.join(', ')})`, { data: { part: 'scheme', scheme } });
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return notifyUrlError(service.name, 'the URL', 'is not well-formed');
  }
  const config = service.parse(url, scheme);
  const secrets = service.secrets(config).filter((s) => s !== '');
  return { service: service.name, config, secrets, redactedUrl: scrubSecrets(text, secrets), serviceImpl: service };
}

/**
 * The URL with every secret part shown as `***`, for logs, history and RPC results. A URL that
 * does not parse keeps only its scheme, since nothing in it is known to be safe.
 */
export function redactNotificationUrl(raw: string): string {
  try {
    return parseNotificationUrl(raw).redactedUrl;
  } catch {
    const m = typeof raw === 'string' ? SCHEME.exec(raw.trim()) : null;
    return m ? `${m[1].toLowerCase()}://***` : '***';
  }
}
