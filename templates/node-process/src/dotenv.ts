// Local settings: `.env` (see .env.example) is read when the server starts. A variable the
// environment already has wins, so a host's real settings and `PORT=4000 npm start` still apply.
import path from "node:path";

export function loadDotEnv(file = path.resolve(".env")): void {
  try {
    process.loadEnvFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/**
 * Where the server listens: PORT and HOST, 3000 and 0.0.0.0 when unset or empty (as `simulate`
 * assumes). A PORT that is not a port number throws (0 asks for any free port).
 */
export function listenAddress(env: Record<string, string | undefined>): { port: number; host: string } {
  const raw = env.PORT?.trim() || "3000";
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new Error(`PORT is "${raw}": expected a port number (0-65535)`);
  return { port, host: env.HOST?.trim() || "0.0.0.0" };
}
