// The Agent4 Task Chain wire protocol, as zod schemas (see agent4.ai's "Task Chain" page).
// Shared verbatim by the generated project and by `create-taskchain simulate/verify`, so it
// depends on nothing but zod.
import * as z from "zod";

/** What the link is being asked about. */
export const LINK_ACTIONS = ["initial", "qualified", "disqualified", "interrupt"] as const;
export const LinkActionSchema = z.enum(LINK_ACTIONS);
export type LinkAction = z.infer<typeof LinkActionSchema>;

/** Agent4 link names as configured in the chain: lowercase letters, digits and underscores. */
export const LINK_NAME_PATTERN = /^[a-z0-9_]+$/;

/** A phone number that may be absent or null, as "" then. */
const PhoneNumberSchema = z
  .string()
  .nullish()
  .transform((value) => value ?? "");

/** Every call to a webhook carries this JSON body. */
export const PayloadSchema = z.object({
  name: z.string().min(1, "must not be empty"),
  action: LinkActionSchema,
  // A withheld caller ID may come without a number (see sessionId() in dispatch.ts).
  call_from: PhoneNumberSchema,
  // A call placed straight to the agent has no forwarding number.
  call_forwarded_by: PhoneNumberSchema,
  // Sent with qualified/disqualified (and sometimes interrupt); absent on initial.
  context: z.record(z.string(), z.unknown()).nullish(),
});
export type Payload = z.infer<typeof PayloadSchema>;
export type PayloadInput = z.input<typeof PayloadSchema>;

export const ActionSchema = z.discriminatedUnion("name", [
  z.object({ name: z.literal("next_task") }),
  z.object({ name: z.literal("switch_task"), context: z.object({ name: z.string().min(1) }) }),
  z.object({ name: z.literal("sms"), context: z.object({ message: z.string() }) }),
  z.object({ name: z.literal("transfer_call"), context: z.object({ number: z.string().min(1) }) }),
  z.object({ name: z.literal("end_call") }),
  z.object({ name: z.literal("say"), context: z.object({ content: z.string() }) }),
  z.object({ name: z.literal("email"), context: z.object({ email: z.string().min(1) }) }),
  z.object({ name: z.literal("set_trigger"), context: z.object({ trigger: z.string().min(1) }) }),
]);
export type Action = z.infer<typeof ActionSchema>;
export type ActionName = Action["name"];
export const ACTION_NAMES = ["next_task", "switch_task", "sms", "transfer_call", "end_call", "say", "email", "set_trigger"] as const satisfies readonly ActionName[];

export const NotificationSchema = z.union([
  z.strictObject({ email: z.string().min(1) }),
  z.strictObject({ webhook: z.object({ host: z.string().min(1), headers: z.record(z.string(), z.string()).optional() }) }),
]);
export type Notification = z.infer<typeof NotificationSchema>;

/** `{"properties": {...}, "required": [...]}`: the JSON-schema block Agent4 collects parameters with. */
export const ParameterBlockSchema = z
  .object({ properties: z.record(z.string(), z.record(z.string(), z.unknown())), required: z.array(z.string()) })
  .superRefine((block, ctx) => {
    for (const name of block.required.filter((name) => !Object.hasOwn(block.properties, name))) {
      ctx.addIssue({ code: "custom", path: ["required"], message: `required names "${name}", which is not in properties` });
    }
  });
export type ParameterBlock = z.infer<typeof ParameterBlockSchema>;

export const PARAMETER_BLOCKS = ["qualified_parameters", "disqualified_parameters", "interrupt_parameters"] as const;

export const ResponseSchema = z.object({
  key: z.uuid(),
  content: z.string(),
  actions: z.array(ActionSchema).optional(),
  state: z.record(z.string(), z.unknown()).optional(),
  additional_call_notifications: z.array(NotificationSchema).optional(),
  qualified_parameters: ParameterBlockSchema.optional(),
  disqualified_parameters: ParameterBlockSchema.optional(),
  interrupt_parameters: ParameterBlockSchema.optional(),
});
export type TaskchainResponse = z.infer<typeof ResponseSchema>;

/** An Agent4 chain configuration: what is pasted into the TaskChain task. */
export const ChainEntrySchema = z.object({ name: z.string().regex(LINK_NAME_PATTERN), endpoint: z.string().min(1) });
export const ChainSchema = z.array(ChainEntrySchema).min(1);
export type ChainEntry = z.infer<typeof ChainEntrySchema>;

/** The JSON error body every non-2xx answer carries. */
export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
}

/** One line naming the first failing field, e.g. `action: Invalid option: expected one of ...`. */
export function describeIssues(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { field: "", message: "invalid" };
  const field = issue.path.map(String).join(".");
  return { field, message: field ? `${field}: ${issue.message}` : issue.message };
}

/**
 * What carriers send for a blocked caller ID instead of a number (Twilio's: ANONYMOUS, RESTRICTED,
 * UNAVAILABLE and BLOCKED spelled on a keypad): as many callers share each as share "anonymous".
 */
const WITHHELD_NUMBERS = new Set(["+266696687", "+7378742833", "+86282452253", "+2562533"]);

/** A caller ID with no digit in it ("", "anonymous", "restricted"), or a stand-in number, is withheld: it names no one. */
export const isWithheld = (callFrom: string): boolean => !/\d/.test(callFrom) || WITHHELD_NUMBERS.has(callFrom);
