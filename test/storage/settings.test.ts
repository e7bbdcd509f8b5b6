import t from 'tap';
import { DESTINATION_TYPES, publicSettings, validateSettings, destinationSettings } from '../../src/storage/index.ts';

// One valid example per type, secrets included, so every schema is exercised.
const examples: Record<string, Record<string, unknown>> = {
  local: { directory: '/srv/backups' },
  s3: { bucket: 'backups', path: 'node1', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's3-secret', endpoint: 'minio.example:9000' },
  sftp: { host: 'backup.example', user: 'bk', password: 'sftp-pw', identityFile: '/etc/hostagent/id_ed25519', identityPassphrase: 'sftp-pass', hostKey: 'SHA256:' + 'A'.repeat(43) },
  webdav: { url: 'https://dav.example/remote.php/dav/files/bk', username: 'bk', password: 'dav-pw' },
  azure: { accountName: 'acct', accountKey: 'azure-key', container: 'backups' },
  dropbox: { appKey: 'k', appSecret: 'dbx-secret', refreshToken: 'dbx-refresh' },
  ftp: { host: 'ftp.example', user: 'bk', password: 'ftp-pw' },
};
const secrets = ['s3-secret', 'sftp-pw', 'sftp-pass', 'dav-pw', 'azure-key', 'dbx-secret', 'dbx-refresh', 'ftp-pw'];

t.test('every type has an example and accepts it, filling defaults', async (t) => {
  t.same([...DESTINATION_TYPES].sort(), Object.keys(examples).sort());
  for (const type of DESTINATION_TYPES) {
    const valid = validateSettings(type, examples[type]);
    t.ok(valid, type);
  }
  t.match(validateSettings('sftp', examples.sftp), { port: 22, trustOnFirstUse: false, path: '.' });
  t.match(validateSettings('ftp', examples.ftp), { tls: 'explicit', passive: true, insecure: false });
  t.match(validateSettings('s3', examples.s3), { protocol: 'https', insecure: false, partSizeMB: 16, forcePathStyle: false });
  t.same(examples.sftp.port, undefined, 'the caller\'s object is not modified');
});

t.test('unknown keys and bad values name the field', async (t) => {
  for (const type of DESTINATION_TYPES) {
    t.throws(() => validateSettings(type, { ...examples[type], surprise: 1 }), { code: 'AGENT_E_INVALID', data: { field: 'surprise' } }, type);
  }
  t.throws(() => validateSettings('ftp', { ...examples.ftp, tls: 'sometimes' }), { code: 'AGENT_E_INVALID', data: { field: 'tls' }, message: /must be one of/ });
  t.throws(() => validateSettings('s3', { ...examples.s3, partSizeMB: 1 }), { code: 'AGENT_E_INVALID', data: { field: 'partSizeMB' } });
  t.throws(() => validateSettings('sftp', { ...examples.sftp, port: 70000 }), { code: 'AGENT_E_INVALID', data: { field: 'port' } });
  t.throws(() => validateSettings('nfs' as 'local', {}), { code: 'AGENT_E_INVALID', data: { field: 'type' } });
});

t.test('publicSettings hides every secret and nothing else', async (t) => {
  for (const type of DESTINATION_TYPES) {
    const shown = publicSettings(type, examples[type]);
    const text = JSON.stringify(shown);
    for (const s of secrets) t.notOk(text.includes(s), `${type}: ${s} hidden`);
    const props = (destinationSettings[type] as { properties: Record<string, { writeOnly?: boolean }> }).properties;
    for (const [k, v] of Object.entries(examples[type])) {
      t.equal(shown[k], props[k]?.writeOnly ? '***' : v, `${type}.${k}`);
    }
  }
  t.same(publicSettings('azure', { container: 'c', managedIdentity: { clientId: 'id-1' } }), { container: 'c', managedIdentity: { clientId: 'id-1' } });
});
