// The protocol contract for order_lookup, through this runtime's server like every link. The
// server's env has no ShipStation keys here, so the link answers with its not-configured hand-off;
// test/shipstation-scenarios.test.ts covers the lookups themselves against a fake ShipStation.
import { describeLink } from "./contract.ts";
import { orderLookupLink } from "../src/links/order_lookup.ts";

describeLink(orderLookupLink, {
  qualified: { order_number: "1001", zip_code: "78756" },
  disqualified: { reason: "The caller has no order number" },
  interrupt: { reason: "The caller hung up" },
});
