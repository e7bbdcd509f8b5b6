// A TokenCredential for Azure managed identities: the instance metadata service hands out
// short-lived tokens for the storage resource; they are cached until shortly before expiry.
import type { AccessToken, TokenCredential } from '@azure/core-auth';

const IMDS = 'http://169.254.169.254/metadata/identity/oauth2/token';

export function managedIdentityCredential(options: { clientId?: string; endpoint?: string }): TokenCredential {
  let cached: AccessToken | undefined;
  return {
    async getToken(): Promise<AccessToken> {
      if (cached && cached.expiresOnTimestamp - Date.now() > 5 * 60_000) return cached;
      const url = new URL(options.endpoint ?? IMDS);
      url.searchParams.set('api-version', '2018-02-01');
      url.searchParams.set('resource', 'https://storage.azure.com/');
      if (options.clientId) url.searchParams.set('client_id', options.clientId);
      const res = await fetch(url, { headers: { Metadata: 'true' }, signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw Object.assign(new Error(`managed identity endpoint answered HTTP ${res.status}`), { statusCode: 401 });
      const body = await res.json() as { access_token?: string; expires_on?: string | number };
      if (!body.access_token) throw Object.assign(new Error('managed identity endpoint returned no token'), { statusCode: 401 });
      cached = { token: body.access_token, expiresOnTimestamp: Number(body.expires_on ?? 0) * 1000 || Date.now() + 10 * 60_000 };
      return cached;
    },
  };
}
