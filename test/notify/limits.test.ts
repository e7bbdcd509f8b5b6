// Message-size limits: long messages are split the way each service requires.
import t from 'tap';
import { dryRun } from '../../src/notify/index.ts';

const line = (i: number) => `line ${i} `.padEnd(150, 'x');

t.test('discord: 2000 per embed, 10 embeds and 6000 characters per request', async (t) => {
  const body = Array.from({ length: 60 }, (_, i) => line(i)).join('\n');
  const reqs = await dryRun('discord://SECRETd@123', { title: 'T', body });
  const payloads = reqs.map((r) => JSON.parse(r.body!) as { embeds: Array<{ description: string }> });
  t.ok(payloads.length > 1, 'several requests');
  for (const p of payloads) {
    t.ok(p.embeds.length <= 10);
    t.ok(p.embeds.reduce((n, e) => n + e.description.length, 0) <= 6000);
  }
  t.equal(payloads.flatMap((p) => p.embeds).length, 60, 'no line lost');
  const long = await dryRun('discord://SECRETd@123?splitlines=no', { title: '', body: 'y'.repeat(4500) });
  const embeds = long.flatMap((r) => (JSON.parse(r.body!) as { embeds: Array<{ description: string }> }).embeds);
  t.same(embeds.map((e) => e.description.length), [2000, 2000, 500]);
});

t.test('telegram: 4096 characters per message', async (t) => {
  const reqs = await dryRun('telegram://1:SECRETt@telegram?chats=1', { title: '', body: 'word '.repeat(2000) });
  t.equal(reqs.length, 3);
  for (const r of reqs) t.ok((JSON.parse(r.body!) as { text: string }).text.length <= 4096);
});

t.test('zulip: 10000 bytes of content, 60-character topic', async (t) => {
  const reqs = await dryRun('zulip://b%40z.org:SECRETz@z.example.com/?stream=s', { title: 't'.repeat(100), body: 'ä'.repeat(6000) });
  t.equal(reqs.length, 2);
  for (const r of reqs) {
    const f = new URLSearchParams(r.body!);
    t.ok(Buffer.byteLength(f.get('content')!) <= 10000);
    t.equal([...f.get('topic')!].length, 60);
  }
});

t.test('opsgenie: the alert message is at most 130 characters, the full text goes in the description', async (t) => {
  const [r] = await dryRun('opsgenie://api.opsgenie.com/SECRETk', { title: '', body: 'z'.repeat(300) });
  const p = JSON.parse(r.body!) as { message: string; description: string };
  t.equal([...p.message].length, 130);
  t.equal(p.description.length, 300);
});

t.test('pushover: message 1024 and title 250 characters', async (t) => {
  const [r] = await dryRun('pushover://shoutrrr:SECRETp@SECRETu/', { title: 'T'.repeat(400), body: 'm'.repeat(2000) });
  const f = new URLSearchParams(r.body!);
  t.equal([...f.get('message')!].length, 1024);
  t.equal([...f.get('title')!].length, 250);
});
