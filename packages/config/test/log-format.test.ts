import { PassThrough } from 'node:stream';
import { createLogger, loadConfig, logDestination, logEnv } from '../src';
import { z } from 'zod';

/** LOG_FORMAT=pretty (issue 24): a line for people, with the same redaction and masking as JSON. */
function prettyLines(write: (log: ReturnType<typeof createLogger>) => void): string[] {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const log = createLogger('producer', 'info', {}, logDestination('pretty', out));
  write(log);
  return text.split('\n').filter(Boolean);
}

test('json is the default; pretty and json are the only formats', () => {
  const schema = z.object(logEnv);
  expect(loadConfig(schema, {}).LOG_FORMAT).toBe('json');
  expect(loadConfig(schema, { LOG_FORMAT: 'pretty' }).LOG_FORMAT).toBe('pretty');
  expect(() => loadConfig(schema, { LOG_FORMAT: 'yaml' })).toThrow(/LOG_FORMAT/);
  expect(logDestination('json')).toBeUndefined();
});

test('a pretty line: local time, level, name and message, fields on the same line, no JSON object', () => {
  const lines = prettyLines((log) => log.info({ campaignId: 'c1', sent: 3 }, 'chunk done'));
  expect(lines).toEqual([
    expect.stringMatching(
      /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] INFO \(producer\): chunk done \{"campaignId":"c1","sent":3\}$/,
    ),
  ]);
  expect(lines.join('\n')).not.toContain('{"level"');
});

test('pretty lines keep secrets out and phone numbers masked', () => {
  const lines = prettyLines((log) => {
    log.warn({ apiKey: 'sk_live_secret', number: '919900000022' }, 'refused 919900000022');
    log.error({ err: new Error('upstream said 919900000022 is closed') }, 'send failed');
  });
  const text = lines.join('\n');
  expect(text).not.toContain('sk_live_secret');
  expect(text).not.toContain('919900000022');
  expect(text).toContain('9199****0022');
  expect(text).toContain('[redacted]');
  expect(lines[0]).toMatch(/ WARN \(producer\): refused 9199\*\*\*\*0022 /);
});
