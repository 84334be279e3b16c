// `npm run shipstation:fake`: the tests' fake ShipStation on a fixed port, to try the chain with
// `npm run dev` and `npx create-taskchain simulate` before you have API keys. See README.md.
import { startFakeShipStation } from "./fake-server.ts";
import { V1_KEY, V1_SECRET, V2_KEY } from "./fixtures.ts";

const port = Number(process.env.FAKE_SHIPSTATION_PORT ?? 4010);
const fake = await startFakeShipStation({ port });
console.log(`fake ShipStation listening on ${fake.url}
For API V1, run the webhook with:
  SHIPSTATION_V1_BASE_URL=${fake.url} SHIPSTATION_API_KEY=${V1_KEY} SHIPSTATION_API_SECRET=${V1_SECRET}
For API V2:
  SHIPSTATION_V2_BASE_URL=${fake.url} SHIPSTATION_V2_API_KEY=${V2_KEY}
Orders: V1 1001 (awaiting payment), 1002 (awaiting shipment, ZIP 78756), 1003 (pending fulfillment),
1004 (on hold), 1005 (shipped), 1006 (cancelled), 1007 (rejected), 1008 (shipped elsewhere),
1009 (two orders), 1010 (shipped, every label voided); V2 2001 (pending), 2002 (on hold),
2003 (shipped), 2004 (cancelled), 2005 (two shipments), 2006 (delivered), 2007 (processing).
Anything else is not found.`);
process.once("SIGINT", () => void fake.close().then(() => process.exit(0)));
process.once("SIGTERM", () => void fake.close().then(() => process.exit(0)));
