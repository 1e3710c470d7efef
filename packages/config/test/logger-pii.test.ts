import { Writable } from 'node:stream';
import fc from 'fast-check';
import { createLogger, maskDigits, maskPhoneNumbers } from '../src';

/** A real pino logger writing to a stream; the lines are what stdout would have received. */
function streamLogger(): { log: ReturnType<typeof createLogger>; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const log = createLogger('test', 'info', {}, stream);
  return { log, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

/** What ioredis throws when a script fails: the command and its arguments ride on the error. */
class ReplyError extends Error {
  constructor(
    message: string,
    readonly command: { name: string; args: unknown[] },
  ) {
    super(message);
    this.name = 'ReplyError';
  }
}

const recipients = Array.from({ length: 200 }, (_, i) => ({
  number: `9199${String(i).padStart(8, '0')}`,
  name: `Customer Name ${i}`,
}));

describe('log lines never carry a full phone number or a recipient name', () => {
  it('drops an ioredis error’s command arguments and keeps the command name', () => {
    const { log, lines } = streamLogger();
    const args = ['sha1', 2, 'key:a', 'key:b', ...recipients.flatMap((r) => [r.number, r.name])];
    const err = new ReplyError('ERR Error running script: out of memory', { name: 'evalsha', args });
    log.error({ err }, 'unhandled error');
    log.error(err);
    log.warn({ error: new ReplyError('ERR busy', { name: 'evalsha', args }) }, 'retrying');
    log.error({ err: new Error('outer', { cause: err }) }, 'wrapped');

    const out = lines();
    expect(out).toHaveLength(4);
    const all = out.join('\n');
    for (const r of recipients) {
      expect(all).not.toContain(r.number);
      expect(all).not.toContain(r.name);
    }
    const [first, second, third] = out.map((l) => JSON.parse(l) as Record<string, { command?: unknown }>);
    expect(first!.err).toMatchObject({ type: 'ReplyError', message: expect.stringContaining('out of memory') });
    expect(first!.err!.command).toEqual({ name: 'evalsha' });
    expect(second!.err!.command).toEqual({ name: 'evalsha' });
    expect(third!.error!.command).toEqual({ name: 'evalsha' });
  });

  it('masks phone-number-like digit runs in messages, fields, bindings and stacks', () => {
    const { log, lines } = streamLogger();
    log
      .child({ recipient: '919900000022' })
      .info({ numbers: ['+919900000023', 'call 12345678 now'], count: 12345678901 }, 'sending to 919900000024');
    log.error(new Error('bad number 919900000025 in row 7'));
    const [line, errLine] = lines();
    expect(line).not.toMatch(/91990000002[2-4]|12345678(?!901)/);
    const parsed = JSON.parse(line!) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      recipient: '9199****0022',
      numbers: ['+9199****0023', 'call 12****78 now'],
      msg: 'sending to 9199****0024',
      // A JSON number is not a phone number here: counters and `time` keep their value.
      count: 12345678901,
    });
    expect(typeof parsed.time).toBe('number');
    expect(errLine).not.toContain('919900000025');
    expect(JSON.parse(errLine!)).toMatchObject({ msg: 'bad number 9199****0025 in row 7' });
  });

  it('still hands the masked line to a streamWrite hook the caller adds', () => {
    const seen: string[] = [];
    const log = createLogger('test', 'info', { hooks: { streamWrite: (l) => (seen.push(l), '') } });
    log.info('to 919900000026');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('9199****0026');
  });
});

describe('maskDigits / maskPhoneNumbers', () => {
  it('hides at least 4 digits of any 8–15-digit run and shows at most the first and last 4', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{8,15}$/), (run) => {
        const masked = maskDigits(run);
        const [head, tail] = masked.split('****') as [string, string];
        return (
          head.length === tail.length &&
          head.length <= 4 &&
          run.length - head.length * 2 >= 4 &&
          run.startsWith(head) &&
          run.endsWith(tail)
        );
      }),
    );
    expect(maskDigits('919900000022')).toBe('9199****0022');
  });

  it('keeps every log line valid JSON and leaves no 8–15-digit run in its strings', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.stringMatching(/^\+?\d{6,16}$/))),
        (obj) => {
          const masked = maskPhoneNumbers(JSON.stringify(obj));
          const back = JSON.parse(masked) as Record<string, unknown>;
          return Object.entries(back).every(
            ([k, v]) => !/(?<!\d)\d{8,15}(?!\d)/.test(k) && (typeof v !== 'string' || !/(?<!\d)\d{8,15}(?!\d)/.test(v)),
          );
        },
      ),
    );
  });
});
