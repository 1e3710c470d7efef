import { doc } from '../doc';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { formatReport, formatRows, REPORT_CONTENT_TYPES } from '@sobot/campaigns';
import { NotFoundError } from '@sobot/store';
import type { AppDeps } from '../deps';

const idParams = z.object({ id: z.string().regex(/^c[0-9a-z]{15}$/, 'is not a campaign id') });
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const reportQuery = z.object({ format: z.enum(['csv', 'json', 'ndjson']).default('csv') });
const ACTIONS = ['pause', 'resume', 'cancel', 'retry-failed'] as const;

export async function campaignRoutes(app: FastifyInstance, { reader, control }: AppDeps): Promise<void> {
  const mustExist = async (id: string) => {
    const meta = await reader.meta(id);
    if (!meta) throw new NotFoundError(`campaign ${id}`);
    return meta;
  };

  app.get(
    '/v1/campaigns',
    { schema: { summary: 'List campaigns, newest first', tags: ['campaigns'], querystring: doc(listQuery) } },
    async (req) => {
      const q = listQuery.parse(req.query);
      return { campaigns: await reader.list(q.limit, q.offset) };
    },
  );

  app.get(
    '/v1/campaigns/:id',
    { schema: { summary: 'Campaign status, counts, rate and ETA', tags: ['campaigns'] } },
    async (req) => {
      const { id } = idParams.parse(req.params);
      const view = await reader.view(id);
      if (!view) throw new NotFoundError(`campaign ${id}`);
      return view;
    },
  );

  app.get('/v1/campaigns/:id/report', {
    schema: { summary: 'One row per recipient (streamed)', tags: ['campaigns'], querystring: doc(reportQuery) },
    handler: async (req, reply) => {
      const { id } = idParams.parse(req.params);
      const { format } = reportQuery.parse(req.query);
      await mustExist(id);
      return reply
        .header('content-type', REPORT_CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="report-${id}.${format}"`)
        .send(formatReport(reader.report(id), format));
    },
  });

  app.get('/v1/campaigns/:id/rejected', {
    schema: {
      summary: 'The rows the upload rejected, with row number, field and reason',
      tags: ['campaigns'],
      querystring: doc(reportQuery),
    },
    handler: async (req, reply) => {
      const { id } = idParams.parse(req.params);
      const { format } = reportQuery.parse(req.query);
      await mustExist(id);
      const rows = await reader.rejectedRows(id);
      return reply
        .header('content-type', REPORT_CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="rejected-${id}.${format}"`)
        .send(formatRows(rows, ['row', 'line', 'field', 'message'], format));
    },
  });

  for (const action of ACTIONS) {
    app.post(
      `/v1/campaigns/:id/${action}`,
      { schema: { summary: `${action} a campaign`, tags: ['campaigns'] } },
      async (req) => {
        const { id } = idParams.parse(req.params);
        const result =
          action === 'pause'
            ? await control.pause(id)
            : action === 'resume'
              ? await control.resume(id)
              : action === 'cancel'
                ? await control.cancel(id)
                : await control.retryFailed(id);
        return { ...(await reader.view(id)), ...(result.reset === undefined ? {} : { reset: result.reset }) };
      },
    );
  }
}
