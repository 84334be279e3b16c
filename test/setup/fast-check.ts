// Property tests draw from one seed per run. CI (and a plain `npm test`) uses a fixed one, so a
// green run stays green and a red one replays; FC_SEED=random explores new inputs, and a failure
// prints the seed to pass back as FC_SEED=<n>.
import fc from "fast-check";

const FIXED_SEED = 20_261_129;
const wanted = process.env.FC_SEED;
const seed = wanted === "random" ? Math.floor(Math.random() * 2 ** 31) : wanted ? Number(wanted) : FIXED_SEED;
if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", not ${JSON.stringify(wanted)}`);
if (wanted) console.log(`fast-check seed: ${seed}`);
fc.configureGlobal({ seed });
