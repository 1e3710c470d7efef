import { clipBytes, type DeliveryStatus } from '@sobot/schema';

/**
 * One message's delivery status as stored in its chunk's delivery hash: `status|ts|code|message`. Code and
 * message come from the webhook (outside): they are clipped (64 bytes, 1 KiB; SPEC §22).
 * Contract with record-delivery-2.lua: a stored delivery begins with its status, up to the first `|`.
 */
export interface Delivery {
  status: DeliveryStatus;
  /** Event time, ms. */
  at: number;
  code: string;
  message: string;
}

export function encodeDelivery(d: Delivery): string {
  return `${d.status}|${d.at}|${clipBytes(d.code.replace(/\|/g, '/'), 64)}|${clipBytes(d.message)}`;
}

export function decodeDelivery(raw: string | undefined): Delivery | undefined {
  if (!raw) return undefined;
  const [status = '', at = '', code = '', ...message] = raw.split('|');
  return { status: status as DeliveryStatus, at: Number(at) || 0, code, message: message.join('|') };
}
