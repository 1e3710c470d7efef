/**
 * Why a recipient failed or was skipped, in words a person acts on: one table for the API (`error_hint` next to
 * each code), the campaign page and the CLI. Keys are the codes the product records: upstream codes (SPEC §13),
 * HTTP statuses, our own failure codes and the skip reasons (SPEC §12).
 */
export interface Reason {
  /** What happened, in a plain sentence. */
  what: string;
  /** What to do about it. */
  todo: string;
}

const RETRIED = 'Nothing to do: it is retried by itself; `retry-failed` sends the rest again later.';
const PAUSE_FIX = 'Sending pauses by itself;';

export const REASONS: Readonly<Record<string, Reason>> = {
  // Throttling and pair rate (SPEC §7, §15): waited out, no attempt spent.
  '429': {
    what: 'The Sobot API asked us to slow down (rate limit).',
    todo: 'Nothing to do: sending waits and goes on. If it keeps happening, lower SEND_RATE or the sender rate.',
  },
  '130429': {
    what: "WhatsApp's throughput limit for this business number was reached.",
    todo: "Nothing to do: that sender slows down and goes on. If it keeps happening, lower the sender's rate.",
  },
  '131056': {
    what: 'Too many messages to this number from this business number in a short time (pair rate limit).',
    todo: 'Nothing to do: the message is sent again after a pause.',
  },
  // Account and credentials: the sender (or the system) pauses.
  '401': {
    what: 'The Sobot API refused the key: the API key or secret is wrong or expired.',
    todo: `${PAUSE_FIX} set the right SOBOT_API_KEY / SOBOT_API_SECRET (or the sender's keys), then resume.`,
  },
  '403': {
    what: 'The Sobot API refused access for this key.',
    todo: `${PAUSE_FIX} check the key's permissions with Sobot, then resume.`,
  },
  '190': {
    what: 'The WhatsApp access token behind the Sobot account is invalid or expired.',
    todo: `${PAUSE_FIX} renew the token in the Sobot account, then resume.`,
  },
  '0': {
    what: 'WhatsApp could not authenticate the business account.',
    todo: `${PAUSE_FIX} check the Sobot account's WhatsApp connection, then resume.`,
  },
  '368': {
    what: 'WhatsApp temporarily blocked the business account for policy violations.',
    todo: `${PAUSE_FIX} see the account's status in WhatsApp Manager and resume once the block is lifted.`,
  },
  '131031': {
    what: 'WhatsApp locked the business account.',
    todo: `${PAUSE_FIX} ask Sobot or Meta support to unlock it, then resume.`,
  },
  '131042': {
    what: 'A payment problem on the WhatsApp business account.',
    todo: `${PAUSE_FIX} fix the payment method in WhatsApp Manager, then resume.`,
  },
  '131048': {
    what: 'WhatsApp limited this number for spam (too many customers blocked or reported it).',
    todo: 'Sending slows down by itself. Send only to customers who expect your messages; improve the content.',
  },
  // Temporary upstream errors: retried like a 5xx.
  '131057': { what: 'The WhatsApp business account is in maintenance.', todo: RETRIED },
  '131000': { what: 'Something went wrong at WhatsApp.', todo: RETRIED },
  '131016': { what: 'A WhatsApp service is temporarily unavailable.', todo: RETRIED },
  '133004': { what: 'The WhatsApp server is temporarily unavailable.', todo: RETRIED },
  '1': { what: 'The WhatsApp API had an unknown error.', todo: RETRIED },
  '2': { what: 'The WhatsApp API is temporarily unavailable.', todo: RETRIED },
  // Permanent refusals of one message.
  '131047': {
    what:
      'The customer has not written to you in the last 24 hours, so WhatsApp only accepts a template message ' +
      '(re-engagement message).',
    todo:
      'Send them an approved template message instead, or wait until they write to you; upload with ' +
      'window=skip to leave such numbers out.',
  },
  '131049': {
    what:
      'WhatsApp did not deliver it to keep the customer from getting too many marketing messages ' +
      '(per-user marketing limit).',
    todo: 'Do not send again at once: retry-failed leaves the number alone for 24 hours; try again after a day.',
  },
  '131050': {
    what: 'The customer stopped marketing messages from your business.',
    todo: 'Nothing to send: the number is now on the suppression list.',
  },
  '131026': {
    what:
      'The message could not be delivered: the number is not on WhatsApp, its app is too old, or the customer ' +
      'has not accepted the terms.',
    todo: 'Check the number with the customer; sending again will not help.',
  },
  '131051': { what: 'WhatsApp does not support this message type.', todo: 'Send an image message (JPEG or PNG).' },
  '131008': {
    what: 'A required parameter of the message is missing.',
    todo: "Check the campaign's image URL and caption, then upload again.",
  },
  '131009': {
    what: 'A parameter of the message is not valid.',
    todo: "Check the campaign's image URL, MIME type and caption, then upload again.",
  },
  '131021': {
    what: 'The recipient is the business number itself.',
    todo: 'Remove your own business number from the list.',
  },
  '131052': {
    what: 'WhatsApp could not download the image.',
    todo:
      'Make the image URL public (no login, no private network), a JPEG or PNG of at most 5 MB; then resume ' +
      '(the campaign breaker paused it).',
  },
  '131053': {
    what: 'WhatsApp could not process the image.',
    todo: 'Use a JPEG or PNG of at most 5 MB; then resume (the campaign breaker paused it).',
  },
  // Our own failure codes.
  NO_WAMID: {
    what: 'The Sobot API answered OK but gave no message id: the message may have gone out.',
    todo: 'Check with the customer before sending again; retry-failed takes it only with include=all (--all).',
  },
  TIMEOUT: {
    what: 'The Sobot API did not answer in time.',
    todo: `${RETRIED} If it keeps happening, check the network to the Sobot API.`,
  },
  CONNECTION_RESET: {
    what: 'The connection to the Sobot API was cut.',
    todo: `${RETRIED} If it keeps happening, check the network to the Sobot API.`,
  },
  CONNECTION_REFUSED: {
    what: 'The Sobot API refused the connection.',
    todo: 'Check SOBOT_BASE_URL and that the API is reachable from the workers; then retry-failed.',
  },
  NETWORK_ERROR: {
    what: 'The Sobot API could not be reached.',
    todo: 'Check SOBOT_BASE_URL, DNS and the network from the workers; then retry-failed.',
  },
  INTERNAL: {
    what: 'An error inside this product stopped the message.',
    todo: 'See the worker log for the cause; then retry-failed.',
  },
  // Skip reasons (SPEC §12): not requested, on purpose.
  SUPPRESSED: {
    what: 'Not sent: the number is on the suppression list (the customer opted out, or an operator added it).',
    todo: 'Nothing to do. Lift the suppression (sobot suppress remove) only if the customer asked for messages.',
  },
  OUTSIDE_WINDOW: {
    what: 'Not sent: the customer was outside the 24-hour window and the upload said window=skip.',
    todo: 'Send them an approved template message instead, or upload again with window=send.',
  },
  FREQUENCY_CAP: {
    what: 'Not sent: the number got a bulk message within FREQUENCY_CAP_HOURS.',
    todo: 'Send it later, or raise FREQUENCY_CAP_HOURS if customers want more messages.',
  },
  // Waiting and pause reasons (SPEC §15).
  MESSAGING_LIMIT: {
    what: "The business portfolio reached WhatsApp's limit of customers per 24 hours (messaging tier).",
    todo: 'Nothing to do: recipients wait and go out as the 24-hour window frees room; a higher tier raises it.',
  },
  NO_ACTIVE_SENDER: {
    what: 'No allowed sender (Sobot account) is active: all of them are paused.',
    todo: 'See GET /v1/senders for why each paused, fix it, then resume the campaign.',
  },
};

const SERVER_ERROR: Reason = {
  what: 'The Sobot API failed with a server error.',
  todo: RETRIED,
};
const CLIENT_ERROR: Reason = {
  what: 'The Sobot API refused the request.',
  todo: 'Read the message for the cause; fix it, then retry-failed with include=all (--all).',
};

/** The reason of a code: from the table, else an HTTP status (`503`, `HTTP_503`) by its class; else undefined. */
export function reasonFor(code: string | null | undefined): Reason | undefined {
  if (!code) return undefined;
  const known = REASONS[code];
  if (known) return known;
  const status = /^(?:HTTP_)?([1-5]\d\d)$/.exec(code)?.[1];
  if (status === undefined) return undefined;
  return status.startsWith('5') || status === '408' ? SERVER_ERROR : status.startsWith('4') ? CLIENT_ERROR : undefined;
}

/** `error_hint`: what happened and what to do, one line; undefined for a code nobody has explained. */
export function errorHint(code: string | null | undefined): string | undefined {
  const reason = reasonFor(code);
  return reason && `${reason.what} ${reason.todo}`;
}
