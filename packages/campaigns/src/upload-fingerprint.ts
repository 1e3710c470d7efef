import { createHash } from 'node:crypto';
import type { CampaignDefaults, SobotImageMessage } from '@sobot/schema';

const MASK = (1n << 128n) - 1n;

/**
 * The content hash of an upload (SPEC §20 "No double by accident"), built while the list streams: every accepted
 * recipient's message (number, name, image, mime type, rendered caption — all that reaches the customer) hashed to
 * 128 bits and summed mod 2^128, so the order of the rows does not matter and memory stays flat; then the count and
 * the campaign's defaults (image, mime type, caption template) on top.
 */
export class UploadFingerprint {
  private sum = 0n;
  private count = 0;

  constructor(private readonly defaults: CampaignDefaults) {}

  add(m: SobotImageMessage): void {
    const h = createHash('sha256')
      .update(JSON.stringify([m.customer_number, m.customer_name, m.url, m.mime_type, m.caption ?? '']))
      .digest();
    this.sum = (this.sum + ((h.readBigUInt64BE(0) << 64n) | h.readBigUInt64BE(8))) & MASK;
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
    return createHash('sha256')
      .update(JSON.stringify(['upload-v1', message, this.count, this.sum.toString(16)]))
      .digest('hex');
  }
}
