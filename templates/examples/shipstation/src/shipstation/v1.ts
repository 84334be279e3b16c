// ShipStation API V1 (https://ssapi.shipstation.com): Basic auth, orders + shipments + fulfillments.
import * as z from "zod";
import type { Logger } from "../taskchain/index.js";
import type { ShipStationConfig } from "./config.js";
import { getPages, lookupOptions, shortfall } from "./http.js";
import { trackingUrl } from "./speech.js";
import { ORDER_STATUSES, type Lookup, type Order, type Package, type ShipStationClient } from "./types.js";

/** V1's largest page. */
const V1_PAGE_SIZE = 500;

// Only the fields a phone lookup reads; V1 sends null for many of them.
export const V1OrderSchema = z.object({
  orderId: z.number().int(),
  orderNumber: z.string(),
  orderKey: z.string().nullish(),
  orderDate: z.string().nullish(),
  orderStatus: z.enum(ORDER_STATUSES),
  shipByDate: z.string().nullish(),
  holdUntilDate: z.string().nullish(),
  shipTo: z.object({ postalCode: z.string().nullish() }).nullish(),
});
const Paged = { total: z.number().int(), page: z.number().int(), pages: z.number().int() };
export const V1OrderListSchema = z.object({ orders: z.array(V1OrderSchema), ...Paged });

export const V1ShipmentSchema = z.object({
  shipmentId: z.number().int(),
  orderId: z.number().int(),
  orderNumber: z.string().nullish(),
  trackingNumber: z.string().nullish(),
  carrierCode: z.string().nullish(),
  serviceCode: z.string().nullish(),
  shipDate: z.string().nullish(),
  createDate: z.string().nullish(),
  voided: z.boolean(),
});
export const V1ShipmentListSchema = z.object({ shipments: z.array(V1ShipmentSchema), ...Paged });

// Orders marked shipped outside ShipStation (marketplace or fulfillment provider) appear here.
export const V1FulfillmentSchema = z.object({
  fulfillmentId: z.number().int(),
  orderId: z.number().int(),
  orderNumber: z.string().nullish(),
  trackingNumber: z.string().nullish(),
  carrierCode: z.string().nullish(),
  shipDate: z.string().nullish(),
  voided: z.boolean().nullish(),
  voidDate: z.string().nullish(),
});
export const V1FulfillmentListSchema = z.object({ fulfillments: z.array(V1FulfillmentSchema), ...Paged });

/** ShipStation's own comparison is "starts with" and ours must be exact; case and a leading # do not count. */
export function sameOrderNumber(a: string, b: string): boolean {
  const canonical = (s: string) => s.trim().replace(/^#/, "").toUpperCase();
  return canonical(a) === canonical(b);
}

const day = (date: string | null | undefined) => (date ? date.slice(0, 10) : null);

function toPackage(p: { trackingNumber?: string | null; carrierCode?: string | null; serviceCode?: string | null; shipDate?: string | null }): Package | undefined {
  if (!p.trackingNumber) return undefined;
  const carrierCode = p.carrierCode ?? null;
  return {
    trackingNumber: p.trackingNumber,
    carrierCode,
    serviceCode: p.serviceCode ?? null,
    shipDate: day(p.shipDate),
    trackingUrl: trackingUrl(carrierCode, p.trackingNumber),
    delivered: false,
  };
}

const newestFirst = (a: { shipDate: string | null }, b: { shipDate: string | null }) => (b.shipDate ?? "").localeCompare(a.shipDate ?? "");

// V1: X-Rate-Limit-Reset is the number of seconds until the window resets.
function rateLimitResetMs(headers: Headers): number | undefined {
  const seconds = Number(headers.get("x-rate-limit-reset") ?? "");
  return headers.has("x-rate-limit-reset") && Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : undefined;
}

export class ShipStationV1 implements ShipStationClient {
  readonly api = "v1" as const;
  constructor(
    private readonly config: ShipStationConfig,
    private readonly logger: Logger,
  ) {}

  async findOrders(orderNumber: string): Promise<Lookup> {
    const options = lookupOptions(this.config, rateLimitResetMs);
    const query = { orderNumber, pageSize: String(V1_PAGE_SIZE) };
    // Newest first, so when a short number prefix-matches more pages than are read, the orders
    // left unread are the oldest.
    const list = await getPages(options, "/orders", { ...query, sortBy: "OrderDate", sortDir: "DESC" }, V1OrderListSchema);
    if (!list.ok) return list;
    // A list that moved between two page reads can repeat an order.
    const byId = new Map(list.pages.flatMap((p) => p.orders).map((o) => [o.orderId, o]));
    const matches = [...byId.values()].filter((o) => sameOrderNumber(o.orderNumber, orderNumber));
    const unread = shortfall(list, `orders starting with ${orderNumber}`);
    if (unread) {
      // Not finding it among the orders read proves nothing: no "not found" then.
      if (matches.length === 0) return { ok: false, failure: unread };
      this.logger.warn("ShipStation V1: not every order starting with this number was read; older ones may be missing", { orderNumber, detail: unread.detail });
    }

    // Tracking lives in shipments (labels made in ShipStation) and fulfillments (marked shipped elsewhere).
    const packages = new Map<number, Map<string, Package>>();
    let trackingUnavailable = false;
    if (matches.some((o) => o.orderStatus === "shipped")) {
      const [shipments, fulfillments] = await Promise.all([
        getPages(options, "/shipments", query, V1ShipmentListSchema),
        getPages(options, "/fulfillments", query, V1FulfillmentListSchema),
      ]);
      const add = (orderId: number, key: string, p: Package | undefined) => {
        if (!p) return;
        const forOrder = packages.get(orderId) ?? new Map<string, Package>();
        forOrder.set(key, p);
        packages.set(orderId, forOrder);
      };
      if (shipments.ok) for (const page of shipments.pages) for (const s of page.shipments) if (!s.voided) add(s.orderId, `s${s.shipmentId}`, toPackage(s));
      if (fulfillments.ok) for (const page of fulfillments.pages) for (const f of page.fulfillments) if (!f.voided && !f.voidDate) add(f.orderId, `f${f.fulfillmentId}`, toPackage(f));
      for (const [r, what] of [[shipments, "shipments"], [fulfillments, "fulfillments"]] as const) {
        const failure = shortfall(r, `${what} for ${orderNumber}`);
        if (failure) {
          trackingUnavailable = true;
          this.logger.warn("ShipStation V1: tracking details unavailable", { reason: failure.reason, detail: failure.detail });
        }
      }
    }

    const orders: Order[] = matches.map((o) => {
      const found = [...(packages.get(o.orderId)?.values() ?? [])].sort(newestFirst);
      return {
        id: String(o.orderId),
        orderNumber: o.orderNumber,
        status: o.orderStatus,
        orderDate: o.orderDate ?? null,
        shipByDate: o.shipByDate ?? null,
        holdUntilDate: o.holdUntilDate ?? null,
        postalCode: o.shipTo?.postalCode ?? null,
        packages: o.orderStatus === "shipped" ? found : [],
        trackingUnavailable: o.orderStatus === "shipped" && found.length === 0 && trackingUnavailable,
      };
    });
    orders.sort((a, b) => (b.orderDate ?? "").localeCompare(a.orderDate ?? ""));
    return { ok: true, orders };
  }
}
