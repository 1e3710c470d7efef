/**
 * SPEC §19, proof under faults: bulk campaigns and transactional messages go through the real processes
 * while workers, the producer and Redis are killed with SIGKILL at seeded moments; then the run drains and
 * checks what the sandbox received against what the product reported (see chaos-checks.ts).
 *
 * What is killed when: the chaos phase (`durationMs`) is cut into equal slots, one kill in each, at a seeded
 * offset inside its slot. The first three kills are a worker, the producer and Redis in a seeded order; the
 * rest are drawn (a worker half the time, else the producer or Redis). A killed app starts again at once, and
 * the next kill waits until it is ready; Redis stays down for a seeded 0.5–2 s and starts again from its AOF.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCast, type Cast } from './chaos-cast';
import {
  chaosChecks,
  chaosFigures,
  type Arrival,
  type ChaosCheck,
  type ChaosFigures,
  type ChaosKill,
  type Reported,
} from './chaos-checks';
import { seeded, type Seeded } from './seeded';

export interface ChaosOptions {
  seed: number;
  /** How long kills go on (the drain comes after). */
  durationMs: number;
  /** Worker processes (≥ 2). Default 2. */
  workers?: number;
  /** SEND_RATE of every worker. Default 60. */
  sendRate?: number;
  /** WORKER_CONCURRENCY of every worker: the most requests one worker has unanswered. Default 10. */
  workerConcurrency?: number;
  /** Bulk campaigns: all but the last uploaded before the kills start, the last during them. Default 3. */
  campaigns?: number;
  /** Recipients of each bulk campaign; default sized so the campaigns last about the chaos phase. */
  recipients?: number;
  /** Recipients of the quiet-hours campaign: half of them in quiet hours all run long, half not. Default 40. */
  quietRecipients?: number;
  /** Numbers of the bulk campaigns put on the suppression list before the uploads. Default 5. */
  suppressed?: number;
  /** Transactional messages (`POST /v1/messages`) per second during the chaos phase. Default 3. */
  messagesPerSecond?: number;
  /** The sandbox's answer delay. Default '20-80' ms. */
  latency?: string;
  /** Run the built apps (`pnpm build` first). Default false (sources through tsx). */
  built?: boolean;
  /** How long the drain may take. Default 3 min. */
  drainTimeoutMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface ChaosResult {
  seed: number;
  /** When the first kill's slot began (ms epoch); kills' `at` count from here. */
  chaosStartedAt: number;
  kills: ChaosKill[];
  figures: ChaosFigures;
  checks: ChaosCheck[];
  ok: boolean;
  /** Messages sent through `POST /v1/messages`, and how many of those calls had to be repeated. */
  messages: { sent: number; retriedCalls: number; medianAcceptMs: number; slowestAcceptMs: number };
  /** Every process's output, every run of it (for a failed run). */
  logs: string;
  /** Processes that died without being killed. */
  crashes: string[];
  wallMs: number;
}

/** The run itself could not go on (e.g. the API stayed unreachable); `logs` has every process's output. */
export class ChaosRunError extends Error {
  readonly code = 'CHAOS_RUN_FAILED';
  constructor(
    cause: unknown,
    readonly logs: string,
  ) {
    super(`the chaos run stopped: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

const TERMINAL_RECIPIENT = new Set(['sent', 'failed', 'skipped', 'cancelled']);
const TERMINAL_CAMPAIGN = new Set(['completed', 'cancelled']);
const JSON_TYPE = { 'content-type': 'application/json' };

interface Campaign {
  id: string;
  /** ndjson rows come from the report; a quiet campaign ends cancelled, the others completed. */
  quiet: boolean;
  accepted: number;
}

interface Message {
  key: string;
  number: string;
  id: string;
  status: string;
  wamid: string | null;
}

/** Bulk numbers: India mobiles `91 8c 000 00000`, one block of 10⁸ per campaign, distinct from the others. */
const bulkNumber = (campaign: number, i: number) => `918${campaign}${String(i).padStart(8, '0')}`;
const quietNumber = (i: number) => `9176${String(i).padStart(8, '0')}`;
const messageNumber = (i: number) => `9177${String(i).padStart(8, '0')}`;

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const o = {
    workers: 2,
    sendRate: 60,
    workerConcurrency: 10,
    campaigns: 3,
    quietRecipients: 40,
    suppressed: 5,
    messagesPerSecond: 3,
    latency: '20-80',
    built: false,
    drainTimeoutMs: 180_000,
    log: () => undefined,
    ...options,
  };
  if (o.workers < 2) throw new Error('a chaos run needs two or more workers');
  if (o.campaigns < 1 || o.campaigns > 9) throw new Error('campaigns must be 1–9');
  // About the chaos phase's sending capacity less the transactional share: the campaigns are still sending at
  // the last kill and finish soon after it.
  const recipients =
    o.recipients ??
    Math.max(100, Math.round(((0.9 * o.sendRate - o.messagesPerSecond) * (o.durationMs / 1000)) / o.campaigns));
  const started = Date.now();
  const rnd = seeded(o.seed);
  const log = (line: string) => o.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const dir = mkdtempSync(join(tmpdir(), 'sobot-chaos-'));
  log(
    `seed ${o.seed}: ${o.durationMs / 1000} s of kills, ${o.workers} workers at SEND_RATE ${o.sendRate} ` +
      `(WORKER_CONCURRENCY ${o.workerConcurrency}), ${o.campaigns} campaigns × ${recipients} recipients, ` +
      `a quiet-hours campaign of ${o.quietRecipients}, ${o.messagesPerSecond} messages/s, ` +
      `sandbox latency ${o.latency} ms`,
  );
  const cast = await startCast({ ...o, dir, onCrash: (line) => log(`!! ${line}`) });
  try {
    return await new Run(o, recipients, rnd, cast, log, started).go();
  } catch (err) {
    throw new ChaosRunError(err, cast.logs());
  } finally {
    await cast.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

type Resolved = Required<Omit<ChaosOptions, 'recipients'>>;

class Run {
  private readonly campaigns: Campaign[] = [];
  private readonly messages: Message[] = [];
  private readonly kills: ChaosKill[] = [];
  private readonly inputNumbers = new Set<string>();
  private suppressed: string[] = [];
  private suppressedCounted = 0;
  private quiet: string[] = [];
  private retriedCalls = 0;
  /** How long each `POST /v1/messages` took to be answered 202, repeats included. */
  private readonly acceptMs: number[] = [];
  private chaosStart = 0;
  /** The last killed app's restart, ready or given up on. */
  private restarted: Promise<void> = Promise.resolve();

  constructor(
    private readonly o: Resolved,
    private readonly recipients: number,
    private readonly rnd: Seeded,
    private readonly cast: Cast,
    private readonly log: (line: string) => void,
    private readonly started: number,
  ) {}

  async go(): Promise<ChaosResult> {
    const { o, rnd } = this;
    const bulk = Array.from({ length: o.campaigns }, (_, c) =>
      Array.from({ length: this.recipients }, (_, i) => bulkNumber(c + 1, i)),
    );
    for (const list of bulk) for (const n of list) this.inputNumbers.add(n);
    this.suppressed = rnd.shuffle(bulk.flat()).slice(0, o.suppressed);
    await this.call('POST /v1/suppressions', () =>
      this.api('/v1/suppressions', {
        method: 'POST',
        headers: JSON_TYPE,
        body: JSON.stringify({ numbers: this.suppressed }),
      }),
    );
    this.log(`suppressed ${this.suppressed.join(', ')} before the uploads`);
    for (let c = 0; c < o.campaigns - 1; c += 1) await this.uploadBulk(c + 1, bulk[c]!);
    await this.uploadQuiet();

    // The chaos phase: kills on their plan, transactional messages all along, the last campaign uploaded in it.
    this.chaosStart = Date.now();
    const end = this.chaosStart + o.durationMs;
    const late = this.uploadLate(o.campaigns, bulk.at(-1)!, rnd.int(10, 40) / 100);
    const sending = this.sendMessages(end);
    await this.killOnPlan(end);
    await Promise.all([late, sending]);
    this.log(
      `kills over; ${this.messages.length} messages accepted ` +
        `(${this.retriedCalls} calls repeated with their key); draining`,
    );

    const undrained = await this.drain();
    const received = await this.arrivals();
    const reported = await this.reported();
    const figures = chaosFigures({
      sendRate: o.sendRate,
      inputNumbers: this.inputNumbers,
      accepted: new Map([
        ...this.campaigns.map((c) => [c.id, c.accepted] as const),
        ...this.messages.map((m) => [m.key, 1] as const),
      ]),
      reported,
      suppressed: this.suppressed,
      quiet: this.quiet,
      kills: this.kills,
      received,
      undrained,
    });
    const checks = chaosChecks(figures);
    checks.push(
      {
        name: 'suppressed counted at upload',
        value: String(this.suppressedCounted),
        limit: String(this.suppressed.length),
        ok: this.suppressedCounted === this.suppressed.length,
      },
      {
        name: 'processes that died unkilled',
        value: String(this.cast.crashes().length),
        limit: '0',
        ok: this.cast.crashes().length === 0,
      },
    );
    return {
      seed: o.seed,
      chaosStartedAt: this.chaosStart,
      kills: this.kills,
      figures,
      checks,
      ok: checks.every((c) => c.ok),
      messages: {
        sent: this.messages.length,
        retriedCalls: this.retriedCalls,
        medianAcceptMs: this.acceptMs.sort((a, b) => a - b)[Math.floor(this.acceptMs.length / 2)] ?? 0,
        slowestAcceptMs: this.acceptMs.at(-1) ?? 0,
      },
      logs: this.cast.logs(),
      crashes: this.cast.crashes(),
      wallMs: Date.now() - this.started,
    };
  }

  // ---- kills ----------------------------------------------------------------------------------------------

  private async killOnPlan(end: number): Promise<void> {
    const { o, rnd } = this;
    const count = Math.max(3, Math.round(o.durationMs / 10_000));
    const first = rnd.shuffle(['worker', 'producer', 'redis'] as const);
    const plan = Array.from({ length: count }, (_, i) => {
      const target = first[i] ?? (rnd.next() < 0.5 ? 'worker' : rnd.pick(['producer', 'redis'] as const));
      // One kill per slot, at a seeded offset inside it (the last 10% of a slot left for the restart).
      const at = ((i + rnd.next() * 0.9) * o.durationMs) / count;
      return { target, at: Math.round(at) };
    });
    this.log(`kill plan: ${plan.map((p) => `${p.target}@${(p.at / 1000).toFixed(1)}s`).join(', ')}`);
    for (const step of plan) {
      const wait = this.chaosStart + step.at - Date.now();
      if (wait > 0) await sleep(wait);
      await this.restarted;
      await this.kill(step.target);
    }
    const rest = end - Date.now();
    if (rest > 0) await sleep(rest);
    await this.restarted;
  }

  private async kill(target: 'worker' | 'producer' | 'redis'): Promise<void> {
    const { cast, o, rnd } = this;
    const at = Date.now() - this.chaosStart;
    if (target === 'worker') {
      const slot = rnd.pick(cast.workers);
      const pid = await slot.kill9();
      // A worker holds a message's permit until its outcome is in Redis: at most WORKER_CONCURRENCY unanswered
      // or unrecorded requests die with it, each of which may be sent again.
      this.kills.push({ at, target, name: slot.name, inFlightBound: o.workerConcurrency });
      this.log(`kill -9 ${slot.name} (pid ${pid}); started again`);
      const next = slot.current;
      this.restarted = this.untilReady(slot.name, next.pid, async () => next.output().includes('worker started'));
    } else if (target === 'producer') {
      const pid = await cast.producer.kill9();
      // The producer sends nothing: a request it was serving is repeated by its client with the same key.
      this.kills.push({ at, target, name: 'producer', inFlightBound: 0 });
      this.log(`kill -9 producer (pid ${pid}); started again`);
      this.restarted = this.untilReady('producer', cast.producer.current.pid, async () => {
        const res = await fetch(`${cast.producerUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
        return res.ok;
      });
    } else {
      await cast.redis.kill9();
      const down = rnd.int(500, 2_000);
      // Every worker may lose the answers of what it has in flight (their outcomes cannot be written).
      this.kills.push({ at, target, name: 'redis', inFlightBound: o.workers * o.workerConcurrency });
      this.log(`kill -9 redis-server; down for ${down} ms`);
      await sleep(down);
      await cast.redis.restart();
      this.log('redis-server started again from its AOF');
    }
  }

  /**
   * Resolves once the restarted process `pid` is ready (`ready()` true), logging how long it took, or after a
   * minute (logged: a restart that slow is worth a look). The next kill waits for it: killing a process that
   * has not come up yet tests nothing but its start.
   */
  private async untilReady(name: string, pid: number, ready: () => Promise<boolean>): Promise<void> {
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000) {
      if (await ready().catch(() => false)) {
        this.log(`${name} (pid ${pid}) ready ${((Date.now() - t0) / 1000).toFixed(1)} s after its start`);
        return;
      }
      await sleep(200);
    }
    this.log(`!! ${name} (pid ${pid}) not ready a minute after its start`);
  }

  // ---- traffic ---------------------------------------------------------------------------------------------

  private async uploadBulk(c: number, numbers: string[]): Promise<void> {
    const csv = `phone,name\n${numbers.map((n, i) => `${n},C${c} R${i}`).join('\n')}\n`;
    const body = await this.upload(`chaos-${this.o.seed}-campaign-${c}`, csv, {});
    const expected = numbers.filter((n) => this.suppressed.includes(n)).length;
    this.suppressedCounted += body.suppressed;
    this.campaigns.push({ id: body.id, quiet: false, accepted: body.accepted });
    this.log(
      `campaign ${c} (${body.id}): ${body.accepted} accepted, ${body.suppressed} suppressed (${expected} on the list)`,
    );
  }

  private async uploadLate(c: number, numbers: string[], share: number): Promise<void> {
    await sleep(share * this.o.durationMs);
    this.log(`uploading campaign ${c}`);
    await this.uploadBulk(c, numbers);
  }

  /**
   * Half the rows are Indian numbers (Asia/Kolkata) inside a quiet span that covers the whole run; the other half
   * carry a `timezone` of New York, 9½–10½ h behind, far outside it: those go out, the first half must not.
   */
  private async uploadQuiet(): Promise<void> {
    const n = this.o.quietRecipients;
    if (n === 0) return;
    const now = Date.now();
    const [h, m] = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Kolkata',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .format(now)
      .split(':')
      .map(Number);
    const local = h! * 60 + m!;
    const span = (from: number, to: number) => {
      const hm = (x: number) => {
        const t = ((x % 1440) + 1440) % 1440;
        return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
      };
      return `${hm(from)}-${hm(to)}`;
    };
    const quietHours = span(local - 60, local + 240);
    const rows = Array.from({ length: n }, (_, i) => quietNumber(i));
    const waiting = rows.slice(0, Math.ceil(n / 2));
    for (const r of rows) this.inputNumbers.add(r);
    const csv = `phone,name,timezone\n${rows
      .map((r, i) => `${r},Q${i},${i < waiting.length ? '' : 'America/New_York'}`)
      .join('\n')}\n`;
    const body = await this.upload(`chaos-${this.o.seed}-quiet`, csv, { quiet_hours: quietHours });
    this.quiet = waiting;
    this.campaigns.push({ id: body.id, quiet: true, accepted: body.accepted });
    this.log(
      `quiet-hours campaign (${body.id}) quiet_hours=${quietHours}: ` +
        `${waiting.length} must wait, ${n - waiting.length} go`,
    );
  }

  /** POST /v1/campaigns with an Idempotency-Key, repeated with the same key until it is answered 202. */
  private async upload(
    key: string,
    csv: string,
    query: Record<string, string>,
  ): Promise<{ id: string; accepted: number; suppressed: number }> {
    const q = new URLSearchParams({ name: key, image_url: `${this.cast.sandboxUrl}/images/sample.jpg`, ...query });
    const res = await this.call(`upload ${key}`, () =>
      this.api(`/v1/campaigns?${q}`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', 'idempotency-key': key },
        body: csv,
      }),
    );
    return (await res.json()) as { id: string; accepted: number; suppressed: number };
  }

  /** Transactional messages, one call each with its own Idempotency-Key, from two concurrent clients until `end`. */
  private async sendMessages(end: number): Promise<void> {
    let next = 0;
    const gapMs = (2 * 1000) / this.o.messagesPerSecond;
    const client = async (rnd: Seeded) => {
      while (Date.now() < end) {
        const i = next++;
        const number = messageNumber(i);
        const key = `chaos-${this.o.seed}-message-${i}`;
        this.inputNumbers.add(number);
        const t0 = Date.now();
        const res = await this.call(`message ${i}`, () =>
          this.api('/v1/messages', {
            method: 'POST',
            headers: { ...JSON_TYPE, 'idempotency-key': key },
            body: JSON.stringify({
              customer_number: number,
              customer_name: `M${i}`,
              url: `${this.cast.sandboxUrl}/images/sample.jpg`,
            }),
          }),
        );
        const body = (await res.json()) as { ids: string[] };
        this.acceptMs.push(Date.now() - t0);
        this.messages.push({ key, number, id: body.ids[0]!, status: 'pending', wamid: null });
        await sleep(rnd.int(0, gapMs * 2));
      }
    };
    // Their own seeded sources: how many messages go out depends on timing, the kill plan must not.
    await Promise.all([client(seeded(this.o.seed + 1)), client(seeded(this.o.seed + 2))]);
  }

  // ---- drain and collect -----------------------------------------------------------------------------------

  /** Waits (bounded) until every campaign and message is terminal; the quiet campaign is then cancelled. */
  private async drain(): Promise<string[]> {
    const deadline = Date.now() + this.o.drainTimeoutMs;
    const nQuiet = this.quiet.length;
    let open: string[] = [];
    let lastLog = 0;
    for (;;) {
      open = [];
      for (const c of this.campaigns) {
        const view = await this.json<{ status: string; counts: { sent: number; waiting: number; pending: number } }>(
          `/v1/campaigns/${c.id}`,
        );
        if (!view) open.push(`${c.id} unreadable`);
        else if (c.quiet) {
          const goes = c.accepted - nQuiet;
          if (view.counts.sent < goes || view.counts.waiting !== nQuiet)
            open.push(
              `${c.id} ${view.status} (quiet: sent ${view.counts.sent}/${goes}, waiting ${view.counts.waiting})`,
            );
        } else if (!TERMINAL_CAMPAIGN.has(view.status))
          open.push(`${c.id} ${view.status} (${view.counts.pending} pending)`);
      }
      const pending = this.messages.filter((m) => !TERMINAL_RECIPIENT.has(m.status));
      for (const m of pending) {
        const view = await this.json<{ status: string; wamid: string | null }>(`/v1/messages/${m.id}`);
        if (view) Object.assign(m, { status: view.status, wamid: view.wamid });
      }
      const still = this.messages.filter((m) => !TERMINAL_RECIPIENT.has(m.status));
      if (still.length > 0) open.push(`${still.length} messages (e.g. ${still[0]!.id} ${still[0]!.status})`);
      if (open.length === 0 || Date.now() > deadline) break;
      if (Date.now() - lastLog > 5_000) {
        lastLog = Date.now();
        this.log(`draining: ${open.join('; ')}`);
      }
      await sleep(500);
    }
    if (open.length > 0) this.log(`drain gave up after ${this.o.drainTimeoutMs / 1000} s: ${open.join('; ')}`);
    else this.log('drained');
    for (const c of this.campaigns.filter((x) => x.quiet)) {
      await this.call(`cancel ${c.id}`, () => this.api(`/v1/campaigns/${c.id}/cancel`, { method: 'POST' }));
    }
    return open;
  }

  /** What the sandbox received, once nothing more arrives for 2 s. */
  private async arrivals(): Promise<Arrival[]> {
    const total = async () =>
      ((await (await fetch(`${this.cast.sandboxUrl}/_sandbox/stats?summary=1`)).json()) as { total: number }).total;
    let last = await total();
    for (let quietSince = Date.now(); Date.now() - quietSince < 2_000;) {
      await sleep(250);
      const now = await total();
      if (now !== last) [last, quietSince] = [now, Date.now()];
    }
    const stats = (await (await fetch(`${this.cast.sandboxUrl}/_sandbox/stats?received=1`)).json()) as {
      received: Arrival[];
    };
    return stats.received;
  }

  private async reported(): Promise<Reported[]> {
    const out: Reported[] = this.messages.map((m) => ({
      campaign: m.key,
      number: m.number,
      status: m.status,
      wamid: m.wamid,
    }));
    for (const c of this.campaigns) {
      const res = await this.call(`report ${c.id}`, () => this.api(`/v1/campaigns/${c.id}/report?format=ndjson`));
      for (const line of (await res.text()).split('\n')) {
        if (!line) continue;
        const row = JSON.parse(line) as { customer_number: string; status: string; wamid: string };
        out.push({ campaign: c.id, number: row.customer_number, status: row.status, wamid: row.wamid || null });
      }
    }
    return out;
  }

  // ---- HTTP --------------------------------------------------------------------------------------------------

  private api(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.cast.producerUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${this.cast.token}`, ...init.headers },
      signal: AbortSignal.timeout(15_000),
    });
  }

  /**
   * A call repeated until it is answered 2xx, the way a careful client does it: a connection refused or reset
   * (the producer was killed), a 5xx (Redis is down: 503) or an in-progress 409 (the same key's first call is
   * still being written) is tried again after a short pause. Any other answer is a failure of the run.
   */
  private async call(what: string, attempt: () => Promise<Response>): Promise<Response> {
    const deadline = Date.now() + 120_000;
    for (let n = 1; ; n += 1) {
      let why: string;
      try {
        const res = await attempt();
        if (res.ok) {
          if (n > 1) this.retriedCalls += 1;
          return res;
        }
        const text = await res.text();
        if (res.status < 500 && !(res.status === 409 && text.includes('IN_PROGRESS')))
          throw new Error(`${what} answered ${res.status}: ${text.slice(0, 300)}`);
        why = `${res.status}`;
      } catch (err) {
        if ((err as Error).message.startsWith(`${what} answered`)) throw err;
        const cause = (err as Error).cause;
        why = cause instanceof Error ? `${(err as Error).message}: ${cause.message}` : (err as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`${what} still failing after 120 s (${why})`);
      await sleep(Math.min(2_000, 100 * 2 ** Math.min(n, 5)));
    }
  }

  /** GET `path` as JSON; undefined when the producer cannot answer right now. */
  private async json<T>(path: string): Promise<T | undefined> {
    try {
      const res = await this.api(path);
      return res.ok ? ((await res.json()) as T) : undefined;
    } catch {
      return undefined;
    }
  }
}
