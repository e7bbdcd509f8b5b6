// The spellings a secret is hidden in, and that only whole tokens are replaced.
import t from 'tap';
import { credentialForms, scrubSecrets, spellings } from '../../src/notify/secrets.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

t.test('spellings: raw, %-encoded, form-encoded, base64 with and without padding', async (t) => {
  t.same(new Set(spellings('a b/c')), new Set(['a b/c', 'a%20b%2Fc', 'a+b%2Fc', b64('a b/c'), b64('a b/c').replace(/=+$/, '')]));
});

t.test('credential forms cover AUTH PLAIN, AUTH LOGIN and HTTP Basic', async (t) => {
  const secrets = credentialForms('mailer', 'pw-1');
  for (const leak of [b64('\0mailer\0pw-1'), b64('mailer\0mailer\0pw-1'), b64('pw-1'), b64('mailer:pw-1'), 'pw-1', encodeURIComponent('pw-1')]) {
    t.equal(scrubSecrets(`535 rejected ${leak} here`, secrets), '535 rejected *** here', leak);
  }
  t.equal(scrubSecrets(`AUTH LOGIN ${b64('mailer')}`, secrets), `AUTH LOGIN ${b64('mailer')}`, 'the user name alone is not secret');
  t.same(credentialForms('u', ''), [], 'no password, nothing to hide');
});

t.test('whole tokens only: a short secret inside a word is left alone', async (t) => {
  t.equal(scrubSecrets('start the art', ['art']), 'start the ***');
  t.equal(scrubSecrets('art,art:(art)', ['art']), '***,***:(***)');
  t.equal(scrubSecrets('key=hunter2&x=1', ['hunter2']), 'key=***&x=1');
  t.equal(scrubSecrets('xhunter2y', ['hunter2']), 'xhunter2y', 'seven characters inside a word: an ordinary word');
  t.equal(scrubSecrets('backupjobs ran; backupjob', ['backupjob']), 'backupjobs ran; ***', 'a long secret inside a word: an ordinary word too');
  t.equal(scrubSecrets('/bot12345:SECRETtg/send', ['bot12345:SECRETtg', '12345:SECRETtg']), '/***/send', 'a glued form is hidden when named as a secret');
  t.equal(scrubSecrets('a%0ASECRETx%0A and "\\nSECRETx"', ['SECRETx']), 'a%0A***%0A and "\\n***"', 'an escape before a secret ends the previous token');
  t.equal(scrubSecrets('token a.b*c here', ['a.b*c']), 'token *** here', 'regex characters are literal');
  t.equal(scrubSecrets('nothing', []), 'nothing');
});
