// `input.review` as Gatekeeper's Rego sees it: the admission request the API server would send for the object
// (admissionv1.AdmissionRequest with `object` and `oldObject`). An object the base rendering already had is an
// UPDATE of that object; a new one is a CREATE. Nobody is logged in: userInfo is a placeholder, the same for all.
import { requestAttributes } from "../cel/admission.js";

export const PLACEHOLDER_USER = { username: "gitops-verify", groups: ["system:authenticated"] };

export interface ReviewInput {
  object: Record<string, unknown>;
  /** The same object in the base rendering, when it has one. */
  oldObject?: Record<string, unknown>;
  userInfo?: { username?: string; uid?: string; groups?: string[] };
}

export function buildReview(input: ReviewInput): Record<string, unknown> {
  const operation = input.oldObject ? "UPDATE" : "CREATE";
  const attributes = requestAttributes({
    object: input.object,
    ...(input.oldObject ? { oldObject: input.oldObject } : {}),
    operation,
    userInfo: input.userInfo ?? PLACEHOLDER_USER,
  });
  return {
    ...attributes.request,
    object: attributes.object,
    ...(attributes.oldObject ? { oldObject: attributes.oldObject } : {}),
    dryRun: false,
  };
}
