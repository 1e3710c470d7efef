import type { Answer } from './responses';

/**
 * The WhatsApp (Meta Cloud API) error codes the sandbox can answer with (SPEC §13). `status` is the
 * HTTP status Meta documents for the code; the Sobot envelope passes it through. Titles and details
 * follow Meta's error-code reference, so a client reading `error.message` sees what production says.
 */
interface UpstreamError {
  status: number;
  title: string;
  details: string;
  type: 'OAuthException';
}

const meta = (status: number, title: string, details: string): UpstreamError => ({
  status,
  title,
  details,
  type: 'OAuthException',
});

export const UPSTREAM_ERRORS = {
  0: meta(401, 'AuthException', 'We were unable to authenticate the app user.'),
  1: meta(400, 'API Unknown', 'Invalid request or possible server error.'),
  2: meta(503, 'API Service', 'Temporary due to downtime or due to being overloaded.'),
  190: meta(401, 'Access token has expired', 'Your access token has expired.'),
  368: meta(
    403,
    'Temporarily blocked for policies violations',
    'The WhatsApp Business Account associated with the app has been restricted or disabled for violating a policy.',
  ),
  130429: meta(400, 'Rate limit hit', 'Cloud API message throughput has been reached.'),
  131000: meta(500, 'Something went wrong', 'Message failed to send due to an unknown error.'),
  131008: meta(400, 'Required parameter is missing', 'The request is missing a required parameter.'),
  131009: meta(400, 'Parameter value is not valid', 'One or more parameter values are invalid.'),
  131016: meta(500, 'Service unavailable', 'A service is temporarily unavailable.'),
  131021: meta(400, 'Recipient cannot be sender', 'Sender and recipient phone number is the same.'),
  131026: meta(
    400,
    'Message undeliverable',
    'Unable to deliver message: the number is not on WhatsApp, or the recipient has not accepted the terms.',
  ),
  131031: meta(403, 'Account has been locked', 'The business account was locked for a policy violation.'),
  131042: meta(400, 'Business eligibility payment issue', 'There was an error related to your payment method.'),
  131047: meta(
    400,
    'Re-engagement message',
    'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  ),
  131048: meta(
    400,
    'Spam rate limit hit',
    'Message failed to send because there are restrictions on how many messages can be sent from this phone number.',
  ),
  131049: meta(
    400,
    'Meta chose not to deliver',
    'This message was not delivered to maintain healthy ecosystem engagement.',
  ),
  131050: meta(
    400,
    'User stopped marketing messages',
    'This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
  ),
  131051: meta(400, 'Unsupported message type', 'Unsupported message type.'),
  131052: meta(400, 'Media download error', 'Unable to download the media from the URL given.'),
  131053: meta(400, 'Media upload error', 'Unable to upload the media used in the message.'),
  131056: meta(
    400,
    '(Business Account, Consumer Account) pair rate limit hit',
    'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.',
  ),
  131057: meta(500, 'Account in maintenance mode', 'Business Account is in maintenance mode.'),
  133004: meta(503, 'Server temporarily unavailable', 'Server is temporarily unavailable.'),
} as const satisfies Record<number, UpstreamError>;

export type UpstreamCode = keyof typeof UPSTREAM_ERRORS;

export function isUpstreamCode(code: number): code is UpstreamCode {
  return Object.hasOwn(UPSTREAM_ERRORS, code);
}

export const UPSTREAM_CODES: readonly UpstreamCode[] = Object.keys(UPSTREAM_ERRORS).map(Number).filter(isUpstreamCode);

/** Names the codes in an error message about a wrong one. */
export const UPSTREAM_CODE_LIST = UPSTREAM_CODES.join(', ');

// Kept word for word from the first version: clients and operators already know this text.
const WINDOW_MESSAGE =
  'Message not sent: the customer is outside the 24 hour window since their last message. ' +
  'Start a new conversation with a template message.';

/** How an error answer is worded (faults.errorShape). */
export type ErrorShape = 'sobot' | 'meta' | 'flat';

/** One answer's body in each shape. */
function bodyOf(code: UpstreamCode, shape: ErrorShape): object {
  const e: UpstreamError = UPSTREAM_ERRORS[code];
  const message = code === 131047 ? WINDOW_MESSAGE : `Message not sent: ${e.details}`;
  const error = {
    message: e.title,
    type: e.type,
    code,
    error_data: { messaging_product: 'whatsapp', details: e.details },
    fbtrace_id: 'sandbox',
  };
  if (shape === 'meta') return { error };
  if (shape === 'flat') return { code, message };
  return { code: e.status, message, error };
}

/**
 * Every code's answer in every shape, built once: the hot path only looks the answer up. The default is Sobot's
 * envelope `{code: <HTTP status>, message, error: <Meta's error object>}`.
 */
const ANSWERS = new Map<string, Answer>(
  UPSTREAM_CODES.flatMap((code) =>
    (['sobot', 'meta', 'flat'] as const).map((shape): [string, Answer] => [
      `${shape}:${code}`,
      { status: UPSTREAM_ERRORS[code].status, body: JSON.stringify(bodyOf(code, shape)) },
    ]),
  ),
);

export function upstreamAnswer(code: UpstreamCode, shape: ErrorShape = 'sobot'): Answer {
  const answer = ANSWERS.get(`${shape}:${code}`);
  if (!answer) throw new Error(`no answer for upstream code ${code}`);
  return answer;
}

/** One entry of `statuses[].errors[]` in Meta's status callback. */
export function statusError(code: UpstreamCode): object {
  const e: UpstreamError = UPSTREAM_ERRORS[code];
  return {
    code,
    title: e.title,
    message: e.title,
    error_data: { details: e.details },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}
