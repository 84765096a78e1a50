// metav1.Status: how the API server reports every failure, and the errors the stand-in raises internally.
import { qualifiedKind, qualifiedResource, type ResourceType } from "./resources.ts";

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
}

export function statusObject(code: number, reason: string, message: string, details?: StatusDetails): Record<string, unknown> {
  const status: Record<string, unknown> = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason };
  if (details) status.details = details;
  status.code = code;
  return status;
}

/** A refusal on its way to the client as a Status. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return statusObject(this.code, this.reason, this.message, this.details);
  }
}

function resourceDetails(type: ResourceType, name: string): StatusDetails {
  return { name, group: type.group, kind: type.plural };
}

export function notFound(type: ResourceType, name: string): ApiError {
  return new ApiError(404, "NotFound", `${qualifiedResource(type)} "${name}" not found`, resourceDetails(type, name));
}

export function namespaceNotFound(namespace: string): ApiError {
  return new ApiError(404, "NotFound", `namespaces "${namespace}" not found`, { name: namespace, kind: "namespaces" });
}

export function routeNotFound(): ApiError {
  return new ApiError(404, "NotFound", "the server could not find the requested resource", {});
}

export function alreadyExists(type: ResourceType, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${qualifiedResource(type)} "${name}" already exists`, resourceDetails(type, name));
}

/** An optimistic-concurrency failure (resourceVersion or uid precondition). */
export function conflict(type: ResourceType, name: string, why: string): ApiError {
  return new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": ${why}`, resourceDetails(type, name));
}

export interface FieldError {
  field: string;
  /** "Invalid value: …", "Required value", "Forbidden: …" */
  detail: string;
  reason: "FieldValueInvalid" | "FieldValueRequired" | "FieldValueForbidden" | "FieldValueNotSupported";
}

export function invalid(type: ResourceType, name: string, errors: FieldError[]): ApiError {
  const listed = errors.map((error) => `${error.field}: ${error.detail}`);
  const summary = listed.length === 1 ? listed[0]! : `[${listed.join(", ")}]`;
  return new ApiError(422, "Invalid", `${qualifiedKind(type)} "${name}" is invalid: ${summary}`, {
    name,
    group: type.group,
    kind: type.kind,
    causes: errors.map((error) => ({ reason: error.reason, message: error.detail, field: error.field })),
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

export function unauthorized(): ApiError {
  return new ApiError(401, "Unauthorized", "Unauthorized");
}

export function methodNotAllowed(method: string): ApiError {
  return new ApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource (${method})`);
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json, application/apply-patch+yaml, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType || "none"})`);
}
