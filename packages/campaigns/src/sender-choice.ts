import type { CampaignDeps } from './deps';
import { InputError } from './errors';

/**
 * The senders a campaign may use (SPEC §15): `sender=<id>` or `senders=a,b` on an upload, `sender` on a message or
 * a call. Empty: every active sender. A name no worker registered is 400 UNKNOWN_SENDER (none registered yet: any
 * name is taken, a worker that does not know it uses every sender).
 */
export async function chooseSenders(deps: CampaignDeps, ...given: Array<string | undefined>): Promise<string[]> {
  const names = [
    ...new Set(
      given
        .flatMap((g) => (g ?? '').split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (names.length === 0) return [];
  const { senders } = await deps.store.senders.registry();
  if (senders.length === 0) return names;
  const known = new Set(senders.map((s) => s.id));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new InputError(
      'UNKNOWN_SENDER',
      `no sender named ${unknown.map((u) => `"${u.slice(0, 64)}"`).join(', ')}; senders: ${[...known].join(', ')}`,
      { senders: unknown.map((u) => u.slice(0, 64)) },
    );
  return names;
}
