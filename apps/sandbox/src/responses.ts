/**
 * Every answer the message endpoint gives, serialised once where it never changes. Bodies follow the
 * reference's success shape `{data?, message, code}`; the 24-hour error carries the WhatsApp code
 * (131047) the provider passes through, which clients must treat as permanent.
 */
export interface Answer {
  status: number;
  body: string;
}

const fixed = (status: number, body: object): Answer => ({ status, body: JSON.stringify(body) });

export const UNAUTHORIZED = fixed(401, { code: 401, message: 'Invalid x-api-key or x-api-secret.' });

export const RATE_LIMITED = fixed(429, {
  code: 429,
  message: 'Too many requests. Retry after the time in Retry-After.',
});

export const OUTSIDE_WINDOW = fixed(400, {
  code: 400,
  message:
    'Message not sent: the customer is outside the 24 hour window since their last message. Start a new conversation with a template message.',
  error: { code: 131047, message: 'Re-engagement message' },
});

const unavailable = new Map<number, Answer>();

export function serverError(status: number): Answer {
  let answer = unavailable.get(status);
  if (!answer) {
    answer = fixed(status, { code: status, message: 'Service temporarily unavailable. Please retry.' });
    unavailable.set(status, answer);
  }
  return answer;
}

export function invalid(message: string): Answer {
  return fixed(400, { code: 400, message });
}

export function accepted(wamid: string): Answer {
  // A wamid is base64 plus 'wamid.': nothing in it needs JSON escaping.
  return {
    status: 200,
    body: `{"data":{"id":"${wamid}","status":"submitted"},"message":"Message sent successfully.","code":200}`,
  };
}
