import { createHash, hash } from 'node:crypto';
import type { CampaignDefaults, SobotImageMessage } from '@sobot/schema';

/**
 * The content hash of an upload (SPEC §20 "No double by accident"), built while the list streams: every accepted
 * recipient's message (number, name, image, mime type, rendered caption — all that reaches the customer) hashed to
 * 128 bits and summed mod 2^128, so the order of the rows does not matter and memory stays flat; then the count and
 * the campaign's defaults (image, mime type, caption template) on top. Fields are joined by NUL, which no accepted
 * field contains (a NUL byte is a row error).
 */
export class UploadFingerprint {
  /** The sum, as four 32-bit lanes, most significant first. */
  private readonly sum = new Uint32Array(4);
  private count = 0;

  constructor(private readonly defaults: CampaignDefaults) {}

  add(m: SobotImageMessage): void {
    const h = hash(
      'sha256',
      `${m.customer_number}\0${m.customer_name}\0${m.url}\0${m.mime_type}\0${m.caption ?? ''}`,
      'buffer',
    );
    let carry = 0;
    for (let k = 3; k >= 0; k -= 1) {
      const v = this.sum[k]! + h.readUInt32BE(k * 4) + carry;
      this.sum[k] = v >>> 0;
      carry = v > 0xffffffff ? 1 : 0;
    }
    this.count += 1;
  }

  /** `sink` that also feeds this fingerprint. */
  wrap(sink: (m: SobotImageMessage) => void | Promise<void>): (m: SobotImageMessage) => void | Promise<void> {
    return (m) => {
      this.add(m);
      return sink(m);
    };
  }

  digest(): string {
    const d = this.defaults;
    const message = [d.image_url ?? '', d.mime_type ?? '', d.caption ?? ''];
    const sum = [...this.sum].map((lane) => lane.toString(16).padStart(8, '0')).join('');
    return createHash('sha256')
      .update(JSON.stringify(['upload-v1', message, this.count, sum]))
      .digest('hex');
  }
}
