import { parseQuietHours, type CampaignStatus, type QuietSpan } from '@sobot/schema';
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
  canaryState: CanaryState | null;
  lane: Lane;
  /** Share of the bulk rate relative to other running campaigns (1–100). */
  weight: number;
  /** Nothing is sent before this (ms); 0: at once. */
  sendAt: number;
  /** No recipient is requested inside this span of its local time (SPEC §10); null: none. */
  quietHours: QuietSpan | null;
  /** Rows left out at upload because their numbers were suppressed. */
  suppressed: number;
  /** Accepted recipients inside their 24-hour window at upload. */
  inWindow: number;
  /** `skip`: a recipient outside its 24-hour window at send time is skipped (OUTSIDE_WINDOW). */
  window: 'send' | 'skip';
  /** The senders this campaign may use (SPEC §15, `sender`/`senders`); empty: every active sender. */
  senders: string[];
}

/** Transactional messages go ahead of bulk ones (SPEC §10). */
export type Lane = 'bulk' | 'transactional';

export type CanaryState = 'pending' | 'passed' | 'failed' | 'overridden';

/**
 * Field names of the campaign hash: the TypeScript side names them through this table only. The Lua scripts
 * read `status`, `accepted`, `canary_*`, `started_at`, `completed_at`, `updated_at` and `paused_reason` by
 * these names too (see their headers).
 */
export const META = {
  id: 'id',
  name: 'name',
  source: 'source',
  status: 'status',
  imageUrl: 'image_url',
  mimeType: 'mime_type',
  caption: 'caption',
  chunkSize: 'chunk_size',
  chunks: 'chunks',
  total: 'total',
  accepted: 'accepted',
  rejected: 'rejected',
  duplicates: 'duplicates',
  createdAt: 'created_at',
  startedAt: 'started_at',
  completedAt: 'completed_at',
  updatedAt: 'updated_at',
  pausedReason: 'paused_reason',
  retryGeneration: 'retry_gen',
  canarySize: 'canary_n',
  canaryRatio: 'canary_ratio',
  canaryState: 'canary_state',
  lane: 'lane',
  weight: 'weight',
  sendAt: 'send_at',
  /** `HH:MM-HH:MM` (absent: no quiet hours). */
  quietHours: 'quiet_hours',
  /** The next chunk to put in circulation (bulk lane, see SendQueue). */
  nextChunk: 'next_chunk',
  /** Rows left out at upload because their numbers were suppressed. */
  suppressed: 'suppressed',
  /** Accepted recipients inside their 24-hour window at upload. */
  inWindow: 'in_window',
  /** `send` or `skip`: what happens at send time to a recipient outside its 24-hour window. */
  window: 'window',
  /** Comma list of the sender ids the campaign may use (absent: every active sender). */
  senders: 'senders',
} as const;

const num = (v: string | undefined): number => (v ? Number(v) : 0);
const optNum = (v: string | undefined): number | null => (v ? Number(v) : null);

export function parseMeta(h: Record<string, string>): CampaignMeta | undefined {
  if (!h[META.id]) return undefined;
  return {
    id: h[META.id]!,
    name: h[META.name] ?? '',
    source: h[META.source] === 'api' ? 'api' : 'upload',
    status: (h[META.status] ?? 'queued') as CampaignStatus,
    defaults: { url: h[META.imageUrl] ?? '', mime: h[META.mimeType] ?? '', caption: h[META.caption] ?? '' },
    chunkSize: num(h[META.chunkSize]),
    chunks: num(h[META.chunks]),
    total: num(h[META.total]),
    accepted: num(h[META.accepted]),
    rejected: num(h[META.rejected]),
    duplicates: num(h[META.duplicates]),
    createdAt: num(h[META.createdAt]),
    startedAt: optNum(h[META.startedAt]),
    completedAt: optNum(h[META.completedAt]),
    updatedAt: num(h[META.updatedAt]),
    pausedReason: h[META.pausedReason] || null,
    retryGeneration: num(h[META.retryGeneration]),
    canarySize: num(h[META.canarySize]),
    canaryState: (h[META.canaryState] as CanaryState | undefined) ?? null,
    lane: h[META.lane] === 'transactional' ? 'transactional' : 'bulk',
    weight: num(h[META.weight]) || 1,
    sendAt: num(h[META.sendAt]),
    quietHours: quietSpan(h[META.quietHours]),
    suppressed: num(h[META.suppressed]),
    inWindow: num(h[META.inWindow]),
    window: h[META.window] === 'skip' ? 'skip' : 'send',
    senders: h[META.senders] ? h[META.senders]!.split(',') : [],
  };
}

function quietSpan(text: string | undefined): QuietSpan | null {
  const r = text ? parseQuietHours(text) : undefined;
  return r?.ok ? r.span : null;
}
