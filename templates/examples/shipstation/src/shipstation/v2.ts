// ShipStation API V2 (https://api.shipstation.com/v2): `API-Key` header, shipments + labels.
// A V1 order is a V2 shipment; a V1 shipment is a V2 label.
import * as z from "zod";
import type { Budget, Logger } from "../taskchain/index.ts";
import type { ShipStationConfig } from "./config.ts";
import { getList, lookupOptions, PAGE_FIELDS, parseRetryAfter } from "./http.ts";
import { trackingUrl } from "./speech.ts";
import { sameOrderNumber } from "./v1.ts";
import type { Lookup, Order, OrderStatus, Package, ShipStationClient } from "./types.ts";

export const V2ShipmentSchema = z.object({
  shipment_id: z.string(),
  shipment_number: z.string().nullish(),
  external_shipment_id: z.string().nullish(),
  shipment_status: z.enum(["pending", "processing", "label_purchased", "cancelled"]),
  created_at: z.string(),
  ship_date: z.string().nullish(),
  ship_by_date: z.string().nullish(),
  hold_until_date: z.string().nullish(),
  ship_to: z.object({ postal_code: z.string().nullish() }).nullish(),
});
export const V2ShipmentListSchema = z.object({ shipments: z.array(V2ShipmentSchema), ...PAGE_FIELDS });

export const V2LabelSchema = z.object({
  label_id: z.string(),
  status: z.enum(["processing", "completed", "error", "voided"]),
  shipment_id: z.string(),
  ship_date: z.string().nullish(),
  created_at: z.string().nullish(),
  tracking_number: z.string().nullish(),
  carrier_code: z.string().nullish(),
  service_code: z.string().nullish(),
  voided: z.boolean(),
  tracking_url: z.string().nullish(),
  tracking_status: z.enum(["unknown", "in_transit", "error", "delivered"]).nullish(),
});
export const V2LabelListSchema = z.object({ labels: z.array(V2LabelSchema), ...PAGE_FIELDS });

type V2Shipment = z.output<typeof V2ShipmentSchema>;
type V2Label = z.output<typeof V2LabelSchema>;

/** Shipments with a label are looked up one by one; a phone answer names at most this many orders. */
const MAX_SHIPMENTS_WITH_LABELS = 3;

function status(s: V2Shipment, now: number): OrderStatus {
  switch (s.shipment_status) {
    case "cancelled":
      return "cancelled";
    case "label_purchased":
      return "shipped";
    case "pending":
    case "processing": {
      const hold = s.hold_until_date ? Date.parse(s.hold_until_date) : Number.NaN;
      return hold > now ? "on_hold" : "awaiting_shipment";
    }
  }
}

function toPackage(label: V2Label): Package | undefined {
  if (label.voided || label.status === "voided" || label.status === "error" || !label.tracking_number) return undefined;
  const carrierCode = label.carrier_code ?? null;
  return {
    trackingNumber: label.tracking_number,
    carrierCode,
    serviceCode: label.service_code ?? null,
    shipDate: label.ship_date ? label.ship_date.slice(0, 10) : null,
    trackingUrl: label.tracking_url || trackingUrl(carrierCode, label.tracking_number),
    delivered: label.tracking_status === "delivered",
  };
}

export class ShipStationV2 implements ShipStationClient {
  readonly api = "v2" as const;
  private readonly config: ShipStationConfig;
  private readonly logger: Logger;

  constructor(config: ShipStationConfig, logger: Logger) {
    this.config = config;
    this.logger = logger;
  }

  async findOrders(orderNumber: string, budget: Budget): Promise<Lookup> {
    const options = lookupOptions(this.config, budget, (headers) => parseRetryAfter(headers.get("retry-after")));
    const list = await getList(options, "/v2/shipments", { shipment_number: orderNumber, sort_by: "created_at", sort_dir: "desc", page_size: "100" }, {
      schema: V2ShipmentListSchema,
      items: (page) => page.shipments,
      id: (s) => s.shipment_id,
      what: `shipments numbered ${orderNumber}`,
    });
    if (!list.ok) return list;
    // shipment_number defaults to external_shipment_id when the order source set none.
    const matches = list.items.filter((s) => sameOrderNumber(s.shipment_number ?? s.external_shipment_id ?? "", orderNumber));
    if (list.shortfall) {
      if (matches.length === 0) return { ok: false, failure: list.shortfall };
      this.logger.warn("ShipStation V2: not every shipment with this number was read; some may be missing", { orderNumber, detail: list.shortfall.detail });
    }
    matches.sort((a, b) => b.created_at.localeCompare(a.created_at));

    const withLabels = matches.filter((s) => s.shipment_status === "label_purchased").slice(0, MAX_SHIPMENTS_WITH_LABELS);
    const labels = new Map<string, Package[] | "unavailable">();
    await Promise.all(
      withLabels.map(async (s) => {
        const r = await getList(options, "/v2/labels", { shipment_id: s.shipment_id, sort_by: "created_at", sort_dir: "desc", page_size: "25" }, {
          schema: V2LabelListSchema,
          items: (page) => page.labels,
          id: (l) => l.label_id,
          what: `labels for ${s.shipment_id}`,
        });
        const packages = (r.ok ? r.items : []).filter((l) => l.shipment_id === s.shipment_id).flatMap((l) => toPackage(l) ?? []);
        const failure = r.ok ? r.shortfall : r.failure;
        // Labels that were read are real; only with none of them usable is tracking unavailable.
        if (failure && packages.length === 0) {
          this.logger.warn("ShipStation V2: tracking details unavailable", { shipment: s.shipment_id, reason: failure.reason, detail: failure.detail });
          labels.set(s.shipment_id, "unavailable");
          return;
        }
        labels.set(s.shipment_id, packages.sort((a, b) => (b.shipDate ?? "").localeCompare(a.shipDate ?? "")));
      }),
    );

    const now = Date.now();
    const orders: Order[] = matches.map((s) => {
      let orderStatus = status(s, now);
      const found = labels.get(s.shipment_id);
      const packages = Array.isArray(found) ? found : [];
      // Every label voided: nothing is on its way, whatever the shipment status still says.
      if (orderStatus === "shipped" && Array.isArray(found) && packages.length === 0) orderStatus = "awaiting_shipment";
      return {
        id: s.shipment_id,
        orderNumber: s.shipment_number ?? s.external_shipment_id ?? orderNumber,
        status: orderStatus,
        orderDate: s.created_at,
        shipByDate: s.ship_by_date ?? null,
        holdUntilDate: s.hold_until_date ?? null,
        postalCode: s.ship_to?.postal_code ?? null,
        packages,
        trackingUnavailable: orderStatus === "shipped" && found === "unavailable",
      };
    });
    return { ok: true, orders };
  }
}
