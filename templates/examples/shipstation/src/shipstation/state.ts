// What order_lookup leaves in the call's state for order_followup. State is plain JSON (it may
// live in Redis or KV between webhook calls), so it is parsed back with zod, never trusted.
import * as z from "zod";
import { ORDER_STATUSES, type Order } from "./types.ts";

export const OrderStateSchema = z.object({
  number: z.string(),
  statuses: z.array(z.enum(ORDER_STATUSES)),
  tracking: z.array(z.object({ carrierCode: z.string().nullable(), trackingNumber: z.string(), trackingUrl: z.string().nullable() })),
});
export type OrderState = z.output<typeof OrderStateSchema>;

/** Max packages texted: an SMS should stay short. */
const MAX_TRACKED = 5;

export function toOrderState(orderNumber: string, orders: Order[]): OrderState {
  return {
    number: orderNumber,
    statuses: orders.map((o) => o.status),
    tracking: orders
      .flatMap((o) => o.packages)
      .slice(0, MAX_TRACKED)
      .map(({ carrierCode, trackingNumber, trackingUrl }) => ({ carrierCode, trackingNumber, trackingUrl })),
  };
}

export function readOrderState(state: Readonly<Record<string, unknown>>): OrderState | undefined {
  const parsed = OrderStateSchema.safeParse(state.order);
  return parsed.success ? parsed.data : undefined;
}

/** How many times this call already looked up an order number and found nothing. */
export function lookupAttempts(state: Readonly<Record<string, unknown>>): number {
  const n = state.order_lookup_attempts;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : 0;
}
