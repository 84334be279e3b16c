// How a link ends, as Agent4 reports it in `action` after `initial`: the order create asks about
// them, writes their parameter blocks in, and verify tries them. No imports: create, simulate and
// verify all load it.

export const OUTCOMES = ["qualified", "disqualified", "interrupt"] as const;
export type Outcome = (typeof OUTCOMES)[number];
