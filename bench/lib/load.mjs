// One autocannon run, in its own process (the bench pins it to the core the server does not use).
// argv[2]: JSON { url, path, bodies: string[], connections, duration, warmup }. Prints JSON results.
import autocannon from "autocannon";

const { url, bodies, connections = Number(process.env.BENCH_CONNECTIONS ?? 50), duration = 5, warmup = 1 } = JSON.parse(process.argv[2]);

const requests = bodies.map((body) => ({ method: "POST", headers: { "content-type": "application/json" }, body }));

function once(seconds) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, requests, pipelining: 1 }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

const warm = warmup > 0 ? await once(warmup) : undefined;
const r = await once(duration);
console.log(
  JSON.stringify({
    warmupTotal: warm?.requests.total ?? 0,
    rps: r.requests.total / (r.duration || duration),
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  }),
);
