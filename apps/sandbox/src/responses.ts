/**
 * Every answer the message endpoint gives, serialised once where it never changes. Bodies follow the
 * reference's success shape `{data?, message, code}`; upstream error codes (the 24-hour window's
 * 131047 among them) are in upstream-errors.ts.
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

/** A 200 that carries no `data.id` (noWamidNumbers): the message may or may not have gone out. */
export const ACCEPTED_WITHOUT_ID = fixed(200, { data: { status: 'submitted' }, message: 'Accepted.', code: 200 });
