/** An error the user caused and can fix: printed as one line, exit 1, no stack unless --debug. */
export class UserError extends Error {
  override readonly name = "UserError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The user cancelled (Ctrl-C, Esc at a prompt): exit 130, nothing written. */
export class CancelledError extends UserError {
  constructor(message = "Cancelled: nothing was written.") {
    super(message, 130);
  }
}
