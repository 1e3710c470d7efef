import { z } from 'zod';
import { logEnv, producerEnv, quietHoursEnv, redisEnv } from '@sobot/config';
import { parseQuietHours } from '@sobot/schema';

/** The producer's environment (SPEC §4). */
const env = { ...redisEnv, ...logEnv, ...producerEnv, ...quietHoursEnv(parseQuietHours) };
export const producerConfigSchema = z.object(env).superRefine((c, ctx) => {
  if (Boolean(c.BOARD_USER) !== Boolean(c.BOARD_PASSWORD)) {
    ctx.addIssue({
      code: 'custom',
      path: [c.BOARD_USER ? 'BOARD_PASSWORD' : 'BOARD_USER'],
      message: 'BOARD_USER and BOARD_PASSWORD go together',
    });
  }
});

export type ProducerConfig = z.output<typeof producerConfigSchema>;
