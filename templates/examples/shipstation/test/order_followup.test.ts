import { describeLink } from "./contract.ts";
import { orderFollowupLink } from "../src/links/order_followup.ts";

describeLink(orderFollowupLink, {
  qualified: { choice: "sms" },
  disqualified: { reason: "The caller did not choose" },
  interrupt: { reason: "The caller hung up" },
});
