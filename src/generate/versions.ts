// Versions written into generated projects. Each supports Node 22.18+ and installs without
// install scripts (npm 11 runs a dependency's script only when package.json allows it).
export const VERSIONS = {
  zod: "^4.1.12",
  typescript: "^7.0.2",
  vitest: "^4.0.8",
  "@types/node": "^22.18.0",
} as const;

/** The Node.js the projects are written for: type stripping on by default, without a warning. */
export const NODE_ENGINES = ">=22.18";
