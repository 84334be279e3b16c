// What the phone links need to know about an order, whichever ShipStation API answered.
import type { Budget } from "../taskchain/index.ts";

/**
 * Order status in V1's words. V2 shipments map onto them: pending → awaiting_shipment (on_hold
 * while hold_until_date is ahead), processing → awaiting_shipment, label_purchased → shipped,
 * cancelled → cancelled.
 */
export const ORDER_STATUSES = [
  "awaiting_payment",
  "awaiting_shipment",
  "pending_fulfillment",
  "shipped",
  "on_hold",
  "cancelled",
  "rejected_fulfillment",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** One package on its way: a V1 shipment or fulfillment, or a V2 label. Voided ones never get here. */
export interface Package {
  trackingNumber: string;
  /** ShipStation's carrier code, e.g. `ups`, `fedex`, `stamps_com`. */
  carrierCode: string | null;
  serviceCode: string | null;
  /** `YYYY-MM-DD`. */
  shipDate: string | null;
  /** The carrier's tracking page (V2 labels carry one; V1 gets one built from the carrier code). */
  trackingUrl: string | null;
  /** V2 labels only: the carrier says it was delivered. */
  delivered: boolean;
}

export interface Order {
  /** V1 orderId or V2 shipment_id. */
  id: string;
  orderNumber: string;
  status: OrderStatus;
  /** `YYYY-MM-DD…` as ShipStation sent it, or null. */
  orderDate: string | null;
  shipByDate: string | null;
  holdUntilDate: string | null;
  /** Shipping address postal code, for the optional ZIP check. */
  postalCode: string | null;
  /** Non-voided packages, newest first. Empty for orders that have not shipped. */
  packages: Package[];
  /** Shipped, but the tracking details could not be fetched (the order itself was found). */
  trackingUnavailable: boolean;
}

/** Why a lookup could not answer. Each keeps the call alive; see src/links/order_lookup.ts. */
export type FailureReason =
  | "not_configured"
  | "unauthorized"
  | "rate_limited"
  | "timeout"
  | "server_error"
  | "bad_response"
  | "network"
  | "bad_request"
  /** The number prefix-matched more orders than a lookup reads, and none of those read was it. */
  | "too_many_results"
  /** Orders came in while the list was read page by page, and none of those read was it. */
  | "list_changed";

export interface Failure {
  reason: FailureReason;
  /** One line for the logs; never spoken. */
  detail: string;
}

export type Lookup = { ok: true; orders: Order[] } | { ok: false; failure: Failure };

/** One interface, two implementations (API V1 and API V2), chosen by env in ./index.ts. */
export interface ShipStationClient {
  readonly api: "v1" | "v2";
  /** Orders whose number is exactly `orderNumber` (case-insensitive), newest first, within the call's budget. */
  findOrders(orderNumber: string, budget: Budget): Promise<Lookup>;
}
