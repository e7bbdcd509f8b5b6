// Host-key pinning: a pin is an OpenSSH `SHA256:<base64>` fingerprint or a known_hosts line
// (`[host]:port type base64 [comment]`, or just `type base64`).
import { createHash } from 'node:crypto';

export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

export function hostKeyMatches(pin: string, key: Buffer): boolean {
  const trimmed = pin.trim();
  if (trimmed.startsWith('SHA256:')) return trimmed.replace(/=+$/, '') === fingerprintOf(key);
  // The base64 blob is the first field that decodes to an SSH key of the type named before it.
  const fields = trimmed.split(/\s+/);
  return fields.some((f, i) => i > 0 && /^(ssh-|ecdsa-|sk-)/.test(fields[i - 1]) && f === key.toString('base64'));
}

export function isValidPin(pin: string): boolean {
  const t = pin.trim();
  return /^SHA256:[A-Za-z0-9+/]{43}=?$/.test(t) || /(^|\s)(ssh-|ecdsa-|sk-)\S+\s+[A-Za-z0-9+/]+=*(\s|$)/.test(t);
}
