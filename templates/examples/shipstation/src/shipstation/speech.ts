// What the caller hears: order statuses, dates, carriers and tracking numbers, phrased for a voice.
import type { Order, Package } from "./types.ts";

const CARRIERS: Record<string, string> = {
  ups: "UPS",
  ups_walleted: "UPS",
  fedex: "FedEx",
  fedex_walleted: "FedEx",
  usps: "USPS",
  stamps_com: "USPS",
  endicia: "USPS",
  dhl_express: "DHL Express",
  dhl_ecommerce: "DHL eCommerce",
  canada_post: "Canada Post",
  ontrac: "OnTrac",
  amazon_buy_shipping: "Amazon",
  royal_mail: "Royal Mail",
  australia_post: "Australia Post",
};

export function carrierName(code: string | null): string {
  if (!code) return "the carrier";
  return CARRIERS[code] ?? code.replace(/_/g, " ");
}

/** The carrier's public tracking page, when we know its address. */
export function trackingUrl(carrierCode: string | null, trackingNumber: string): string | null {
  const n = encodeURIComponent(trackingNumber);
  switch (carrierName(carrierCode)) {
    case "UPS":
      return `https://www.ups.com/track?tracknum=${n}`;
    case "FedEx":
      return `https://www.fedex.com/fedextrack/?trknbr=${n}`;
    case "USPS":
      return `https://tools.usps.com/go/TrackConfirmAction?tLabels=${n}`;
    case "DHL Express":
      return `https://www.dhl.com/us-en/home/tracking/tracking-express.html?tracking-id=${n}`;
    case "Canada Post":
      return `https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor=${n}`;
    default:
      return null;
  }
}

/**
 * A code read out character by character in groups of four: "1Z999AA1" → "1 Z 9 9, 9 A A 1".
 * Text-to-speech would otherwise read "1Z999AA1" as a word or a large number.
 */
export function speakCharacters(code: string): string {
  const chars = [...code.replace(/[^0-9A-Za-z]/g, "").toUpperCase()];
  const groups: string[] = [];
  for (let i = 0; i < chars.length; i += 4) groups.push(chars.slice(i, i + 4).join(" "));
  return groups.join(", ");
}

/**
 * Short all-digit numbers read fine as they are; longer or mixed ones are spelled out, keeping
 * the number's own groups: "SO-2024-17" → "S O, 2 0 2 4, 1 7" (not "S O 2 0, 2 4 1 7").
 */
export function speakOrderNumber(orderNumber: string): string {
  if (/^\d{1,4}$/.test(orderNumber)) return orderNumber;
  return orderNumber.split(/[^0-9A-Za-z]+/).filter(Boolean).map(speakCharacters).join(", ");
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** `2015-06-29T08:46:27.0000000` → "June 29, 2015" ("June 29" in the current year). Read as written: no time zone shift. */
export function speakDate(date: string | null, now = new Date()): string | undefined {
  const m = date ? /^(\d{4})-(\d{2})-(\d{2})/.exec(date) : null;
  if (!m) return undefined;
  const month = MONTHS[Number(m[2]) - 1];
  if (!month) return undefined;
  const text = `${month} ${Number(m[3])}`;
  return Number(m[1]) === now.getUTCFullYear() ? text : `${text}, ${m[1]}`;
}

function shippedSentence(subject: string, order: Order): string {
  const [latest, ...others] = order.packages;
  if (!latest) {
    return order.trackingUnavailable
      ? `${subject} has shipped, but I can't get its tracking details right now.`
      : `${subject} has been marked as shipped, but I don't have tracking details for it.`;
  }
  const when = speakDate(latest.shipDate);
  const how = `${when ? ` on ${when}` : ""} with ${carrierName(latest.carrierCode)}`;
  const first = latest.delivered ? `${subject} was delivered. It shipped${how}.` : `${subject} shipped${how}.`;
  const count = others.length ? ` It went out in ${others.length + 1} packages; this is the latest one.` : "";
  return `${first}${count} The tracking number is ${speakCharacters(latest.trackingNumber)}.`;
}

/** One order's status, as a sentence or two. `subject` names the order ("Order 1001"). */
export function describeOrder(order: Order, subject: string, placed = true): string {
  const date = placed ? speakDate(order.orderDate) : undefined;
  const placedOn = date ? `, placed on ${date},` : "";
  switch (order.status) {
    case "awaiting_payment":
      return `${subject} is waiting for payment, so it hasn't shipped yet. We'll prepare it as soon as the payment goes through.`;
    case "awaiting_shipment": {
      const by = speakDate(order.shipByDate);
      return `${subject}${placedOn} has been received and is being prepared for shipment.${by ? ` It's scheduled to ship by ${by}.` : ""}`;
    }
    case "pending_fulfillment":
      return `${subject}${placedOn} is with our fulfillment center and is waiting to ship.`;
    case "on_hold": {
      const until = speakDate(order.holdUntilDate);
      return `${subject} is on hold${until ? ` until ${until}` : ""}. A member of our team can tell you more about it.`;
    }
    case "shipped":
      return shippedSentence(subject, order);
    case "cancelled":
      return `${subject} was cancelled, so it won't be shipped.`;
    case "rejected_fulfillment":
      return `${subject} could not be fulfilled and has not shipped. A member of our team can help you with the next steps.`;
  }
}

/** Several orders share a number (split orders, several stores): name each, newest first. */
export const MAX_ORDERS_SPOKEN = 3;

export function describeOrders(orders: Order[], orderNumber: string): string {
  const spoken = speakOrderNumber(orderNumber);
  const [only] = orders;
  if (orders.length === 1 && only) return describeOrder(only, `Order ${spoken}`);
  const parts = [`I found ${orders.length} orders with the number ${spoken}.`];
  orders.slice(0, MAX_ORDERS_SPOKEN).forEach((order, i) => {
    const date = speakDate(order.orderDate);
    const subject = i === 0 ? (date ? `The most recent one, from ${date},` : "The most recent one") : date ? `The one from ${date}` : "Another one";
    parts.push(describeOrder(order, subject, false));
  });
  if (orders.length > MAX_ORDERS_SPOKEN) parts.push(`There are ${orders.length - MAX_ORDERS_SPOKEN} more; a member of our team can go through them with you.`);
  return parts.join(" ");
}

/** The text message with tracking links for every package of these orders. */
export function trackingText(orderNumber: string, packages: Pick<Package, "carrierCode" | "trackingNumber" | "trackingUrl">[]): string {
  const lines = packages.map((p) => `${carrierName(p.carrierCode)} ${p.trackingNumber}${p.trackingUrl ? `: ${p.trackingUrl}` : ""}`);
  return `Tracking for order ${orderNumber}:\n${lines.join("\n")}`;
}
