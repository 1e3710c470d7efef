import cliProgress from 'cli-progress';
import type { CampaignView, SobotBulkClient } from '@sobot/client';
import { escapeControlDeep } from './control-chars';
import { done, duration, percent } from './format';
import type { Io } from './io';

/** Without a terminal, a progress line this often (and when the status changes). */
const LINE_EVERY_MS = 5_000;

interface Progress {
  update(view: CampaignView): void;
  stop(): void;
}

const isFinal = (v: CampaignView) => v.status === 'completed' || v.status === 'cancelled';
const state = (v: CampaignView) => (v.paused_reason ? `${v.status}: ${v.paused_reason}` : v.status);

/** A redrawn bar: sent+failed of total, rate and ETA as the API computes them. */
function bar(stream: NodeJS.WritableStream): Progress {
  const b = new cliProgress.SingleBar(
    {
      stream,
      format: '{bar} {percentage}% | {value}/{total} | {rate} msg/s | ETA {eta_text} | {state}',
      barsize: 30,
      fps: 5,
      hideCursor: false,
      gracefulExit: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(v) {
      const payload = { rate: v.rate.toFixed(1), eta_text: duration(v.eta_seconds), state: state(v) };
      if (!started) {
        b.start(v.counts.total, done(v), payload);
        started = true;
        return;
      }
      b.setTotal(v.counts.total);
      b.update(done(v), payload);
    },
    stop: () => started && b.stop(),
  };
}

/** For logs and pipes: a plain line every few seconds. */
function lines(stream: NodeJS.WritableStream): Progress {
  let lastAt = 0;
  let lastState = '';
  return {
    update(v) {
      const now = Date.now();
      if (isFinal(v) || (now - lastAt < LINE_EVERY_MS && state(v) === lastState)) return;
      lastAt = now;
      lastState = state(v);
      const time = new Date(now).toISOString().slice(11, 19);
      const rate = `${v.rate.toFixed(1)} msg/s · ETA ${duration(v.eta_seconds)}`;
      stream.write(`[${time}] ${state(v)} ${done(v)}/${v.counts.total} (${percent(v)}) · ${rate}\n`);
    },
    stop: () => undefined,
  };
}

/**
 * Follows a campaign until it is completed or cancelled, drawing progress on stdout unless `quiet`.
 * Resolves with the final view, or undefined when interrupted (Ctrl+C stops watching, not the campaign).
 */
export async function watchCampaign(
  client: SobotBulkClient,
  id: string,
  io: Io,
  opts: { intervalMs: number; quiet: boolean },
): Promise<CampaignView | undefined> {
  const progress = opts.quiet ? undefined : io.stdout.isTTY ? bar(io.stdout) : lines(io.stdout);
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  try {
    return await client.waitForCampaign(id, {
      intervalMs: opts.intervalMs,
      onProgress: (v) => progress?.update(escapeControlDeep(v)),
      signal: interrupt.signal,
    });
  } catch (err) {
    if (interrupt.signal.aborted) return undefined;
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress?.stop();
  }
}
