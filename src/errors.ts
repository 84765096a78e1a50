import type { SourceLocation } from "./model.ts";

/** Bad configuration or input: the message says what and where. Exit code 2. */
export class UserError extends Error {
  override readonly name = "UserError";
  constructor(
    message: string,
    readonly location?: SourceLocation,
  ) {
    super(message);
  }
}

/** A tool we drive (kustomize, helm, git) failed. Exit code 2. */
export class ToolError extends Error {
  override readonly name = "ToolError";
  constructor(
    message: string,
    readonly tool: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** Why the Kubernetes API refused: the Status `reason`, or "Unreachable" when no answer came. */
export type ClusterErrorReason =
  | "Conflict"
  | "AlreadyExists"
  | "NotFound"
  | "Invalid"
  | "Forbidden"
  | "Unauthorized"
  | "BadRequest"
  | "Timeout"
  | "Unreachable"
  | "Unknown";

/** The Kubernetes API refused a request or could not be reached. Exit code 2 unless a use case says otherwise. */
export class ClusterError extends Error {
  override readonly name = "ClusterError";
  constructor(
    message: string,
    readonly reason: ClusterErrorReason,
    /** HTTP status; 0 when no answer came. */
    readonly status: number,
    /** The Status details' causes (for a conflict: one per field, naming the manager that owns it). */
    readonly causes: readonly { field?: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** A bug in gitops-verify. Exit code 2, with a request to report it. */
export class InternalError extends Error {
  override readonly name = "InternalError";
}

export function formatLocation(location: SourceLocation | undefined): string {
  if (!location) return "";
  let text = location.file;
  if (location.line !== undefined) text += `:${location.line}`;
  if (location.line !== undefined && location.column !== undefined) text += `:${location.column}`;
  return text;
}

/** "file:line: message" when the error knows where; the message alone otherwise. */
export function describeError(error: unknown): string {
  if (error instanceof UserError && error.location) return `${formatLocation(error.location)}: ${error.message}`;
  if (error instanceof ToolError && error.detail) return `${error.message}\n${error.detail}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
