/**
 * A campaign id as the store makes it: `c`, nine base-32 digits of time, six of randomness (lowercase). The
 * source without anchors, to build the patterns that contain one (a message id, a list cursor).
 */
export const CAMPAIGN_ID_SOURCE = 'c[0-9a-z]{15}';
/** A whole campaign id. */
export const CAMPAIGN_ID_PATTERN = new RegExp(`^${CAMPAIGN_ID_SOURCE}$`);
/** A message id, `<campaign id>-<index>`; the two parts captured. */
export const MESSAGE_ID_PATTERN = new RegExp(`^(${CAMPAIGN_ID_SOURCE})-(\\d{1,9})$`);

/** One day in ms (24-hour windows, day buckets, TTLs). */
export const DAY_MS = 86_400_000;
