import { createLogger } from '../src';

/** A logger whose lines are kept here instead of reaching stdout. */
function capturingLogger(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger('test', 'info', {
    hooks: {
      streamWrite: (line) => {
        lines.push(line);
        return '';
      },
    },
  });
  return { log, lines };
}

const SECRETS = {
  apiKey: 'sk_live_AAAA1111',
  apiSecret: 'ss_live_BBBB2222',
  bearer: 'Bearer tok_CCCC3333',
  envKey: 'env_key_DDDD4444',
  nestedKey: 'nested_EEEE5555',
  webhook: 'whk_FFFF6666',
  xApiKey: 'xkey_GGGG7777',
  password: 'pw_HHHH8888',
};

describe('createLogger redaction', () => {
  it('keeps API keys, authorization headers and env secrets out of every line', () => {
    const { log, lines } = capturingLogger();
    log.info({ apiKey: SECRETS.apiKey, apiSecret: SECRETS.apiSecret }, 'client options');
    log.info(
      { headers: { authorization: SECRETS.bearer, 'x-api-key': SECRETS.xApiKey, accept: 'application/json' } },
      'outgoing request',
    );
    log.info({ SOBOT_API_KEY: SECRETS.envKey, SEND_RATE: 80 }, 'config');
    log.warn(
      { cfg: { SOBOT_API_KEY: SECRETS.nestedKey, BOARD_PASSWORD: SECRETS.password, WEBHOOK_TOKEN: SECRETS.webhook } },
      'loaded config',
    );
    log.info(
      {
        req: {
          method: 'POST',
          url: `/v1/webhook?token=${SECRETS.webhook}`,
          headers: { authorization: SECRETS.bearer },
        },
      },
      'incoming',
    );
    // @fastify/multipart logs its busboy options, request headers included, at trace level.
    log.info(
      { busboyOptions: { headers: { authorization: SECRETS.bearer, 'content-type': 'multipart/form-data' } } },
      'Providing options to busboy',
    );

    expect(lines).toHaveLength(6);
    const all = lines.join('');
    for (const secret of Object.values(SECRETS)) expect(all).not.toContain(secret);
    expect(all).not.toContain('tok_CCCC3333');

    const [client, request, config, nested, incoming] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(client).toMatchObject({
      name: 'test',
      msg: 'client options',
      apiKey: '[redacted]',
      apiSecret: '[redacted]',
    });
    // Only the secrets go: the rest of the line is still useful.
    expect(request).toMatchObject({
      headers: { authorization: '[redacted]', 'x-api-key': '[redacted]', accept: 'application/json' },
    });
    expect(config).toMatchObject({ SOBOT_API_KEY: '[redacted]', SEND_RATE: 80 });
    expect(nested).toMatchObject({
      cfg: { SOBOT_API_KEY: '[redacted]', BOARD_PASSWORD: '[redacted]', WEBHOOK_TOKEN: '[redacted]' },
    });
    expect(incoming).toMatchObject({ req: { method: 'POST', url: '/v1/webhook' } });
  });

  it('logs at the level it was given', () => {
    const { log, lines } = capturingLogger();
    log.debug('not shown');
    log.info('shown');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['shown']);
  });
});
