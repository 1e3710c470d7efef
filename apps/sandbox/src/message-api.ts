import { DEFAULT_FAULTS, mergeFaults, planFaults, type FaultPlan, type Faults } from './faults';
import {
  accepted,
  ACCEPTED_WITHOUT_ID,
  invalid,
  RATE_LIMITED,
  serverError,
  UNAUTHORIZED,
  type Answer,
} from './responses';
import { KeyRing, type KeyPair } from './keys';
import { RpsCap } from './rps-cap';
import { StatsRecorder, type Outcome } from './stats';
import { upstreamAnswer, type ErrorShape, type UpstreamCode } from './upstream-errors';
import { checkMessage, type Json } from './validate';
import { newWamid } from './wamid';
import { WebhookNotifier, type WebhookOptions } from './webhook';

export interface MessageApiOptions {
  apiKey?: string;
  apiSecret?: string;
  /** Several key pairs (SPEC §15); with them a request must carry one of these (or apiKey/apiSecret when set). */
  keys?: KeyPair[];
  faults?: Partial<Faults>;
  webhook?: WebhookOptions;
}

/** What to do with one request; the HTTP layer carries it out. */
export type Decision =
  | { kind: 'answer'; answer: Answer; delayMs: number; retryAfterSeconds?: number; accepted?: Accepted }
  | { kind: 'hang' }
  | { kind: 'reset'; delayMs: number };

/** A 200 answer: the webhook events start once it has been sent (see `sent`). */
export interface Accepted {
  wamid: string;
  number: string;
  /** The status callback reports failed with this code instead of the configured statuses. */
  failCode: UpstreamCode | undefined;
}

type Header = string | string[] | undefined;

/**
 * The image message endpoint's behaviour, HTTP aside: credentials, injected faults, validation,
 * the 24-hour window, and the record of what was received. Decisions use the faults in force when
 * the request arrives; the stats record the outcome at once, even when the answer is delayed.
 */
export class MessageApi {
  readonly stats = new StatsRecorder();
  private readonly initialFaults: Faults;
  private plan: FaultPlan;
  private cap: RpsCap | undefined;
  private webhookOptions: WebhookOptions | undefined;
  private notifier: WebhookNotifier | undefined;
  private readonly keys: KeyRing;

  constructor(private readonly options: MessageApiOptions = {}) {
    this.keys = new KeyRing(options.keys ?? []);
    this.initialFaults = mergeFaults(DEFAULT_FAULTS, options.faults ?? {});
    this.plan = planFaults(this.initialFaults);
    this.cap = capFor(this.initialFaults);
    this.setWebhook(options.webhook);
  }

  /** Where status events go; the inbound control endpoint posts through it too. */
  get webhook(): WebhookNotifier | undefined {
    return this.notifier;
  }

  /** Replaces the webhook (undefined: none); events still pending for the old one are dropped. */
  setWebhook(options: WebhookOptions | undefined): void {
    this.notifier?.close();
    this.webhookOptions = options;
    this.notifier = options ? new WebhookNotifier(options) : undefined;
  }

  get faults(): Readonly<Faults> {
    return this.plan.faults;
  }

  setFaults(patch: Partial<Faults>): Faults {
    const faults = mergeFaults(this.plan.faults, patch);
    this.plan = planFaults(faults);
    if (patch.maxRps !== undefined) this.cap = capFor(faults);
    return faults;
  }

  /** Clears the stats and puts back the faults and the webhook the sandbox started with. */
  reset(): void {
    this.stats.reset();
    this.keys.reset();
    this.plan = planFaults(this.initialFaults);
    this.cap = capFor(this.initialFaults);
    // Only a changed webhook is replaced: pending events of the original one keep going.
    if (this.webhookOptions !== this.options.webhook) this.setWebhook(this.options.webhook);
  }

  decide(at: number, apiKey: Header, apiSecret: Header, rawBody: string): Decision {
    let body: Json | undefined;
    try {
      body = JSON.parse(rawBody);
    } catch {
      body = undefined;
    }
    const check = body === undefined ? undefined : checkMessage(body);
    const number = check?.number ?? '';
    const { plan } = this;
    const { faults } = plan;

    const { apiKey: key, apiSecret: secret } = this.options;
    const pair = this.keys.empty ? undefined : this.keys.find(apiKey, apiSecret);
    const single = key !== undefined && apiKey === key && (secret === undefined || apiSecret === secret);
    if (
      faults.authFail ||
      (this.keys.empty
        ? (key !== undefined && apiKey !== key) || (secret !== undefined && apiSecret !== secret)
        : !pair && !single)
    ) {
      return this.answer(at, number, '401', UNAUTHORIZED, plan.latency(), undefined, pair?.pair.id);
    }
    this.stats.key = pair?.pair.id;
    if (pair) {
      const verdict = this.keys.admit(pair, at, number, faults.revokedKeys, faults.pairIntervalMs);
      if (verdict === '401') return this.answer(at, number, '401', UNAUTHORIZED, plan.latency());
      if (verdict !== 'ok') return this.upstream(at, number, Number(verdict) as UpstreamCode, faults.errorShape, 0);
    }
    const mishap = plan.draw();
    if (mishap === 'hang') {
      this.stats.record(at, number, 'hang');
      return { kind: 'hang' };
    }
    if (mishap === 'reset') {
      this.stats.record(at, number, 'reset');
      return { kind: 'reset', delayMs: plan.latency() };
    }
    if (mishap === '429' || (this.cap && !this.cap.admit(at))) {
      return this.answer(at, number, '429', RATE_LIMITED, plan.latency(), faults.retryAfterSeconds);
    }
    if (mishap === '5xx') return this.answer(at, number, '5xx', serverError(faults.errorStatus), plan.latency());
    if (typeof mishap === 'number') return this.upstream(at, number, mishap, faults.errorShape, plan.latency());
    if (!check) return this.answer(at, number, '400', invalid('body must be JSON'), plan.latency());
    if (!check.ok) return this.answer(at, number, '400', invalid(check.message), plan.latency());
    if (plan.failsFor(number)) return this.answer(at, number, '5xx', serverError(faults.errorStatus), plan.latency());
    if (plan.noWamidFor(number)) return this.answer(at, number, 'ok', ACCEPTED_WITHOUT_ID, plan.latency());
    const code = plan.codeFor(number);
    if (code !== undefined) return this.upstream(at, number, code, faults.errorShape, plan.latency());

    const wamid = newWamid(number);
    this.stats.record(at, number, 'ok', wamid);
    const message = { wamid, number, failCode: plan.callbackFailure(number) };
    return { kind: 'answer', answer: accepted(wamid), delayMs: plan.latency(), accepted: message };
  }

  /** Called once a 200 answer is on the wire, so status events never overtake it. */
  sent(message: Accepted): void {
    this.notifier?.notify(message.wamid, message.number, message.failCode);
  }

  close(): void {
    this.notifier?.close();
  }

  private answer(
    at: number,
    number: string,
    outcome: Outcome,
    answer: Answer,
    delayMs: number,
    retryAfterSeconds?: number,
    keyId?: string,
  ): Decision {
    if (keyId !== undefined) this.stats.key = keyId;
    this.stats.record(at, number, outcome);
    return { kind: 'answer', answer, delayMs, retryAfterSeconds };
  }

  private upstream(at: number, number: string, code: UpstreamCode, shape: ErrorShape, delayMs: number): Decision {
    const answer = upstreamAnswer(code, shape);
    this.stats.record(at, number, outcomeOf(answer.status), undefined, code);
    return { kind: 'answer', answer, delayMs };
  }
}

function outcomeOf(status: number): Outcome {
  if (status >= 500) return '5xx';
  if (status === 401) return '401';
  if (status === 403) return '403';
  return '400';
}

function capFor(faults: Faults): RpsCap | undefined {
  return faults.maxRps ? new RpsCap(faults.maxRps) : undefined;
}
