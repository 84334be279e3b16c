import { describeLink } from "./contract.js";
import { orderFollowupLink } from "../src/links/order_followup.js";

describeLink(orderFollowupLink, {
  qualified: { choice: "sms" },
  disqualified: { reason: "The caller did not choose" },
  interrupt: { reason: "The caller hung up" },
});
