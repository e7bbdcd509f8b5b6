// Temporary credentials from a container credentials endpoint (the ECS/EKS "IAM role" URL),
// cached until shortly before they expire.
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { AgentError } from '../../errors/index.ts';

export function containerCredentials(url: string): () => Promise<AwsCredentialIdentity> {
  let cached: AwsCredentialIdentity | undefined;
  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - Date.now() > 5 * 60_000) return cached;
    let body: Record<string, string>;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`credentials endpoint answered HTTP ${res.status}`);
      body = await res.json() as Record<string, string>;
    } catch (err) {
      throw new AgentError('AGENT_E_DEST_AUTH', `s3: could not get credentials from the IAM role endpoint: ${(err as Error).message}`, { data: { backend: 's3' }, cause: err });
    }
    if (!body.AccessKeyId || !body.SecretAccessKey) {
      throw new AgentError('AGENT_E_DEST_AUTH', 's3: the IAM role endpoint returned no credentials', { data: { backend: 's3' } });
    }
    cached = {
      accessKeyId: body.AccessKeyId,
      secretAccessKey: body.SecretAccessKey,
      sessionToken: body.Token,
      expiration: body.Expiration ? new Date(body.Expiration) : undefined,
    };
    return cached;
  };
}
