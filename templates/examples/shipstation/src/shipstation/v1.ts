// ShipStation API V1 (https://ssapi.shipstation.com): Basic auth, orders + shipments + fulfillments.
import * as z from "zod";
import type { Budget, Logger } from "../taskchain/index.ts";
import type { ShipStationConfig } from "./config.ts";
import { getList, lookupOptions, PAGE_FIELDS } from "./http.ts";
import { trackingUrl } from "./speech.ts";
import { ORDER_STATUSES, type Lookup, type Order, type Package, type ShipStationClient } from "./types.ts";

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
export const V1OrderListSchema = z.object({ orders: z.array(V1OrderSchema), ...PAGE_FIELDS });

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
export const V1ShipmentListSchema = z.object({ shipments: z.array(V1ShipmentSchema), ...PAGE_FIELDS });

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
export const V1FulfillmentListSchema = z.object({ fulfillments: z.array(V1FulfillmentSchema), ...PAGE_FIELDS });

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
  private readonly config: ShipStationConfig;
  private readonly logger: Logger;

  constructor(config: ShipStationConfig, logger: Logger) {
    this.config = config;
    this.logger = logger;
  }

  async findOrders(orderNumber: string, budget: Budget): Promise<Lookup> {
    const options = lookupOptions(this.config, budget, rateLimitResetMs);
    const query = { orderNumber, pageSize: String(V1_PAGE_SIZE) };
    // Newest first, so when a short number prefix-matches more pages than are read, the orders
    // left unread are the oldest.
    const list = await getList(options, "/orders", { ...query, sortBy: "OrderDate", sortDir: "DESC" }, {
      schema: V1OrderListSchema,
      items: (page) => page.orders,
      id: (o) => o.orderId,
      what: `orders starting with ${orderNumber}`,
    });
    if (!list.ok) return list;
    const matches = list.items.filter((o) => sameOrderNumber(o.orderNumber, orderNumber));
    if (list.shortfall) {
      // Not finding it among the orders read proves nothing: no "not found" then.
      if (matches.length === 0) return { ok: false, failure: list.shortfall };
      this.logger.warn("ShipStation V1: not every order starting with this number was read; some may be missing", { orderNumber, detail: list.shortfall.detail });
    }

    // Tracking lives in shipments (labels made in ShipStation) and fulfillments (marked shipped elsewhere).
    const packages = new Map<number, Package[]>();
    let trackingUnavailable = false;
    if (matches.some((o) => o.orderStatus === "shipped")) {
      const [shipments, fulfillments] = await Promise.all([
        getList(options, "/shipments", query, { schema: V1ShipmentListSchema, items: (page) => page.shipments, id: (s) => s.shipmentId, what: `shipments for ${orderNumber}` }),
        getList(options, "/fulfillments", query, { schema: V1FulfillmentListSchema, items: (page) => page.fulfillments, id: (f) => f.fulfillmentId, what: `fulfillments for ${orderNumber}` }),
      ]);
      const add = (orderId: number, p: Package | undefined) => {
        if (p) packages.set(orderId, [...(packages.get(orderId) ?? []), p]);
      };
      if (shipments.ok) for (const s of shipments.items) if (!s.voided) add(s.orderId, toPackage(s));
      if (fulfillments.ok) for (const f of fulfillments.items) if (!f.voided && !f.voidDate) add(f.orderId, toPackage(f));
      for (const r of [shipments, fulfillments]) {
        const failure = r.ok ? r.shortfall : r.failure;
        if (failure) {
          trackingUnavailable = true;
          this.logger.warn("ShipStation V1: tracking details unavailable", { reason: failure.reason, detail: failure.detail });
        }
      }
    }

    const orders: Order[] = matches.map((o) => {
      const found = [...(packages.get(o.orderId) ?? [])].sort(newestFirst);
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
