import type { FastifyInstance } from 'fastify';
import { formatRejected, formatReport, REPORT_CONTENT_TYPES, retryFailed } from '@sobot/campaigns';
import { NotFoundError } from '@sobot/store';
import type { AppDeps } from '../deps';
import { campaignIdParams, listQuery, pathId, reportQuery, retryFailedOptions, routeDocs } from './docs';

const ACTIONS = ['pause', 'resume', 'cancel', 'retry-failed'] as const;

export async function campaignRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { store } = deps;
  const { campaigns: reader, control } = store;
  /** The campaign of the path, or a 404 (before anything is done in its name). */
  const existing = async (params: unknown) => {
    const id = pathId(campaignIdParams, params, 'campaign');
    if (!(await reader.meta(id))) throw new NotFoundError(`campaign ${id}`);
    return id;
  };

  app.get('/v1/campaigns', { schema: routeDocs.listCampaigns }, async (req) => {
    const q = listQuery.parse(req.query);
    return reader.listPage({ limit: q.limit, cursor: q.cursor, statuses: q.status });
  });

  app.get('/v1/campaigns/:id', { schema: routeDocs.getCampaign }, async (req) => {
    const id = pathId(campaignIdParams, req.params, 'campaign');
    const view = await reader.view(id);
    if (!view) throw new NotFoundError(`campaign ${id}`);
    return view;
  });

  app.get('/v1/campaigns/:id/report', {
    schema: routeDocs.report,
    handler: async (req, reply) => {
      const id = await existing(req.params);
      const { format } = reportQuery.parse(req.query);
      return reply
        .header('content-type', REPORT_CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="report-${id}.${format}"`)
        .send(formatReport(reader.report(id), format));
    },
  });

  app.get('/v1/campaigns/:id/rejected', {
    schema: routeDocs.rejected,
    handler: async (req, reply) => {
      const id = await existing(req.params);
      const { format } = reportQuery.parse(req.query);
      const file = await reader.rejectedFile(id);
      return reply
        .header('content-type', REPORT_CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="rejected-${id}.${format}"`)
        .send(formatRejected(file, format));
    },
  });

  for (const action of ACTIONS) {
    app.post(`/v1/campaigns/:id/${action}`, { schema: routeDocs.control(action) }, async (req) => {
      // Checked first: `resume` lifts a system-wide pause, which an unknown id must not do.
      const id = await existing(req.params);
      const result =
        action === 'pause'
          ? await control.pause(id)
          : action === 'resume'
            ? await control.resume(id)
            : action === 'cancel'
              ? await control.cancel(id)
              : await retryFailed(deps, id, retryFailedOptions(req.query, req.body).include);
      const view = await reader.view(id);
      if (!view) throw new NotFoundError(`campaign ${id}`);
      const { status: _, ...extra } = result;
      return { ...view, ...extra };
    });
  }
}
