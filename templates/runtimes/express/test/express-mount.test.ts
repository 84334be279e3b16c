// The webhook mounted under a path of an Express app you already have (README: Deploy).
import express from "express";
import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { chain } from "../src/links/index.ts";
import { createExpressApp } from "../src/server.ts";
import { listenTarget } from "./target-shared.ts";

// A token for this test's own server only (a literal one in a URL would read like a leaked secret).
const TOKEN = "mount-token";

describe("the webhook mounted under /taskchain", () => {
  it("serves /health, POST /<link> and POST / below the mount point", async () => {
    const outer = express();
    outer.use("/taskchain", createExpressApp(createApp({ TASKCHAIN_TOKEN: TOKEN })));
    const target = await listenTarget(createServer(outer), TOKEN);
    try {
      expect((await fetch(`${target.url}/taskchain/health`)).status).toBe(200);
      const name = chain[0].name;
      for (const path of [`/taskchain/${name}`, "/taskchain/", `/taskchain/${name}?token=${TOKEN}`]) {
        const res = await fetch(target.url + path, {
          method: "POST",
          headers: { "content-type": "application/json", ...(path.includes("token=") ? {} : { authorization: `Bearer ${TOKEN}` }) },
          body: JSON.stringify({ name, action: "initial", call_from: "+15125550100", call_forwarded_by: "" }),
        });
        expect(res.status, path).toBe(200);
        expect(await res.json()).toHaveProperty("key");
      }
      expect((await fetch(`${target.url}/taskchain/${name}`, { method: "POST", body: "{}" })).status).toBe(401);
    } finally {
      await target.close();
    }
  });
});
