import type { CampaignStatus } from '@sobot/schema';
import type { ChunkDefaults } from './recipient-codec';

/** The campaign hash as stored, parsed. */
export interface CampaignMeta {
  id: string;
  name: string;
  source: 'upload' | 'api';
  status: CampaignStatus;
  defaults: ChunkDefaults;
  chunkSize: number;
  chunks: number;
  total: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  updatedAt: number;
  pausedReason: string | null;
  retryGeneration: number;
  /** Recipients sent before the rest is released (0: no canary). */
  canarySize: number;
}

const num = (v: string | undefined): number => (v ? Number(v) : 0);
const optNum = (v: string | undefined): number | null => (v ? Number(v) : null);

export function parseMeta(h: Record<string, string>): CampaignMeta | undefined {
  if (!h.id) return undefined;
  return {
    id: h.id,
    name: h.name ?? '',
    source: h.source === 'api' ? 'api' : 'upload',
    status: (h.status ?? 'queued') as CampaignStatus,
    defaults: { url: h.image_url ?? '', mime: h.mime_type ?? '', caption: h.caption ?? '' },
    chunkSize: num(h.chunk_size),
    chunks: num(h.chunks),
    total: num(h.total),
    accepted: num(h.accepted),
    rejected: num(h.rejected),
    duplicates: num(h.duplicates),
    createdAt: num(h.created_at),
    startedAt: optNum(h.started_at),
    completedAt: optNum(h.completed_at),
    updatedAt: num(h.updated_at),
    pausedReason: h.paused_reason || null,
    retryGeneration: num(h.retry_gen),
    canarySize: num(h.canary_n),
  };
}
