// The CLI's own version and the ts-morph it edits with, from its package.json (bundled in at build
// time): projects pin the one and list the other.
import pkg from "../package.json" with { type: "json" };

export const CLI_VERSION: string = pkg.version;
export const TS_MORPH: string = pkg.peerDependencies["ts-morph"];
