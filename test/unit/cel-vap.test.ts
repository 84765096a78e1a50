// ValidatingAdmissionPolicy evaluation: matching, match conditions, variables, validations, params, bindings,
// failure policies (cases after k8s.io/apiserver/pkg/admission/plugin/policy/validating's behaviour), then Kyverno's
// CLI suites for ValidatingAdmissionPolicies (../shared/conformance/kyverno-cli/test-validating-admission-policy and
// test/validating-admission-policies) run through the evaluator with their expected results.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkValidatingAdmissionPolicy,
  checkValidatingAdmissionPolicyBinding,
  evaluateValidatingAdmissionPolicy,
  type VapInput,
  type VapResult,
} from "../../src/policy/cel/vap.ts";
import {
  checkKyvernoValidatingPolicy,
  evaluateKyvernoValidatingPolicy,
  isKyvernoValidatingPolicy,
  type KyvernoPolicyInput,
  type KyvernoPolicyResult,
} from "../../src/policy/cel/kyverno-validating-policy.ts";
import { SHARED } from "../helpers/repo.ts";

type Obj = Record<string, unknown>;

const RULE = { apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["deployments"] };

function policy(spec: Obj, name = "p"): Obj {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name },
    spec: { matchConstraints: { resourceRules: [RULE] }, validations: [{ expression: "object.spec.replicas <= 2" }], ...spec },
  };
}

function binding(spec: Obj, name = "b", policyName = "p"): Obj {
  return { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name }, spec: { policyName, validationActions: ["Deny"], ...spec } };
}

function deployment(replicas = 1, extra: { namespace?: string; labels?: Record<string, string>; name?: string } = {}): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: extra.name ?? "web", namespace: extra.namespace ?? "apps", ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: { replicas, template: { spec: { containers: [{ name: "app", image: "nginx" }] } } },
  };
}

function input(object: Obj, rest: Partial<VapInput> = {}): VapInput {
  return { object, operation: "CREATE", objects: [], ...rest };
}

const configMap = (name: string, namespace: string, data: Obj, labels?: Record<string, string>): Obj => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace, ...(labels ? { labels } : {}) },
  data,
});

interface Case {
  name: string;
  policy: Obj;
  bindings?: Obj[];
  input: VapInput;
  want: Partial<VapResult>[];
}

describe("evaluateValidatingAdmissionPolicy", () => {
  it.each<Case>([
    // validations
    { name: "a passing validation", policy: policy({}), input: input(deployment(1)), want: [{ result: "pass", actions: [], messages: [] }] },
    {
      name: "a failing validation without message says the expression",
      policy: policy({}),
      input: input(deployment(3)),
      want: [{ result: "fail", actions: ["Deny"], messages: ["failed expression: object.spec.replicas <= 2"] }],
    },
    {
      name: "the message, trimmed",
      policy: policy({ validations: [{ expression: "object.spec.replicas <= 2", message: "  too many replicas " }] }),
      input: input(deployment(3)),
      want: [{ result: "fail", messages: ["too many replicas"] }],
    },
    {
      name: "messageExpression wins over message",
      policy: policy({ validations: [{ expression: "object.spec.replicas <= 2", message: "static", messageExpression: "'has ' + string(object.spec.replicas)" }] }),
      input: input(deployment(3)),
      want: [{ result: "fail", messages: ["has 3"] }],
    },
    {
      name: "a messageExpression that fails falls back to message",
      policy: policy({ validations: [{ expression: "object.spec.replicas <= 2", message: "static", messageExpression: "object.spec.nope" }] }),
      input: input(deployment(3)),
      want: [{ result: "fail", messages: ["static"] }],
    },
    {
      name: "a multi-line messageExpression result falls back to message",
      policy: policy({ validations: [{ expression: "false", message: "static", messageExpression: "'a\\nb'" }] }),
      input: input(deployment(1)),
      want: [{ result: "fail", messages: ["static"] }],
    },
    {
      name: "every failing validation is reported, in order",
      policy: policy({ validations: [{ expression: "false", message: "one" }, { expression: "true", message: "two" }, { expression: "false", message: "three" }] }),
      input: input(deployment(1)),
      want: [{ result: "fail", messages: ["one", "three"] }],
    },
    {
      name: "an evaluation error under failurePolicy Fail",
      policy: policy({ validations: [{ expression: "object.spec.missing == 1" }] }),
      input: input(deployment(1)),
      want: [{ result: "error", actions: ["Deny"], messages: ['spec.validations[0].expression: expression "object.spec.missing == 1" failed: No such key: missing'] }],
    },
    {
      name: "an evaluation error under failurePolicy Ignore has no action",
      policy: policy({ failurePolicy: "Ignore", validations: [{ expression: "object.spec.missing == 1" }] }),
      input: input(deployment(1)),
      want: [{ result: "error", actions: [], messages: [expect.stringMatching(/No such key: missing \(ignored: failurePolicy is Ignore\)$/) as unknown as string] }],
    },
    {
      name: "a failure wins over an ignored error",
      policy: policy({ failurePolicy: "Ignore", validations: [{ expression: "object.spec.missing == 1" }, { expression: "false", message: "no" }] }),
      input: input(deployment(1)),
      want: [{ result: "fail", actions: ["Deny"] }],
    },
    // variables
    {
      name: "variables, also reading each other",
      policy: policy({
        variables: [
          { name: "replicas", expression: "object.spec.replicas" },
          { name: "tooMany", expression: "variables.replicas > 2" },
        ],
        validations: [{ expression: "!variables.tooMany", messageExpression: "'replicas: ' + string(variables.replicas)" }],
      }),
      input: input(deployment(5)),
      want: [{ result: "fail", messages: ["replicas: 5"] }],
    },
    {
      name: "a variable that fails is the error of the validation reading it",
      policy: policy({ variables: [{ name: "bad", expression: "object.spec.nope" }], validations: [{ expression: "variables.bad == 1" }] }),
      input: input(deployment(1)),
      want: [{ result: "error", messages: [expect.stringContaining('composited variable "bad" fails to evaluate') as unknown as string] }],
    },
    {
      name: "a variable nobody reads is never evaluated",
      policy: policy({ variables: [{ name: "bad", expression: "object.spec.nope" }] }),
      input: input(deployment(1)),
      want: [{ result: "pass" }],
    },
    // matchConditions
    {
      name: "a false match condition skips",
      policy: policy({ matchConditions: [{ name: "only-prod", expression: "object.metadata.namespace == 'prod'" }] }),
      input: input(deployment(5)),
      want: [{ result: "skip", messages: ['the policy does not apply: match condition "only-prod" is false'] }],
    },
    {
      name: "true match conditions evaluate",
      policy: policy({ matchConditions: [{ name: "apps", expression: "object.metadata.namespace == 'apps'" }, { name: "any", expression: "true" }] }),
      input: input(deployment(5)),
      want: [{ result: "fail" }],
    },
    {
      name: "a match condition error under Fail",
      policy: policy({ matchConditions: [{ name: "broken", expression: "object.nope" }] }),
      input: input(deployment(5)),
      want: [{ result: "error", actions: ["Deny"], messages: [expect.stringMatching(/^failed to evaluate match conditions: spec\.matchConditions\[0\] \(broken\)/) as unknown as string] }],
    },
    {
      name: "a false condition wins over an erroring one",
      policy: policy({ matchConditions: [{ name: "broken", expression: "object.nope" }, { name: "no", expression: "false" }] }),
      input: input(deployment(5)),
      want: [{ result: "skip" }],
    },
    {
      name: "a match condition error under Ignore skips",
      policy: policy({ failurePolicy: "Ignore", matchConditions: [{ name: "broken", expression: "object.nope" }] }),
      input: input(deployment(5)),
      want: [{ result: "skip" }],
    },
    // matchConstraints
    {
      name: "another resource does not match",
      policy: policy({}),
      input: input({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "a" } }),
      want: [{ result: "skip", messages: ["the policy does not apply: no resourceRules match v1 configmaps CREATE"] }],
    },
    {
      name: "another operation does not match",
      policy: policy({ matchConstraints: { resourceRules: [{ ...RULE, operations: ["UPDATE"] }] } }),
      input: input(deployment(5)),
      want: [{ result: "skip" }],
    },
    {
      name: "wildcards match",
      policy: policy({ matchConstraints: { resourceRules: [{ apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"] }] } }),
      input: input(deployment(5)),
      want: [{ result: "fail" }],
    },
    {
      name: "matchPolicy Equivalent (the default) matches another version",
      policy: policy({ matchConstraints: { resourceRules: [{ ...RULE, apiVersions: ["v1beta1"] }] } }),
      input: input(deployment(5)),
      want: [{ result: "fail" }],
    },
    {
      name: "matchPolicy Equivalent matches the extensions group of deployments",
      policy: policy({ matchConstraints: { resourceRules: [{ ...RULE, apiGroups: ["extensions"], apiVersions: ["v1beta1"] }] } }),
      input: input(deployment(5)),
      want: [{ result: "fail" }],
    },
    {
      name: "matchPolicy Exact does not",
      policy: policy({ matchConstraints: { matchPolicy: "Exact", resourceRules: [{ ...RULE, apiVersions: ["v1beta1"] }] } }),
      input: input(deployment(5)),
      want: [{ result: "skip" }],
    },
    {
      name: "excludeResourceRules by name",
      policy: policy({ matchConstraints: { resourceRules: [RULE], excludeResourceRules: [{ ...RULE, resourceNames: ["web"] }] } }),
      input: input(deployment(5)),
      want: [{ result: "skip", messages: ["the policy does not apply: the object is excluded by excludeResourceRules"] }],
    },
    {
      name: "resourceNames restrict",
      policy: policy({ matchConstraints: { resourceRules: [{ ...RULE, resourceNames: ["other"] }] } }),
      input: input(deployment(5)),
      want: [{ result: "skip" }],
    },
    {
      name: "scope Cluster does not match a namespaced object",
      policy: policy({ matchConstraints: { resourceRules: [{ ...RULE, scope: "Cluster" }] } }),
      input: input(deployment(5)),
      want: [{ result: "skip" }],
    },
    {
      name: "scope Namespaced matches it",
      policy: policy({ matchConstraints: { resourceRules: [{ ...RULE, scope: "Namespaced" }] } }),
      input: input(deployment(5)),
      want: [{ result: "fail" }],
    },
    {
      name: "scope Namespaced does not match a Namespace",
      policy: policy({
        matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["namespaces"], scope: "Namespaced" }] },
      }),
      input: input({ apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } }),
      want: [{ result: "skip" }],
    },
    {
      name: "namespaceSelector against namespaceObject's labels",
      policy: policy({ matchConstraints: { resourceRules: [RULE], namespaceSelector: { matchLabels: { env: "prod" } } } }),
      input: input(deployment(5), { namespaceObject: { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps", labels: { env: "prod" } } } }),
      want: [{ result: "fail" }],
    },
    {
      name: "namespaceSelector not matching",
      policy: policy({ matchConstraints: { resourceRules: [RULE], namespaceSelector: { matchExpressions: [{ key: "env", operator: "In", values: ["prod"] }] } } }),
      input: input(deployment(5), { namespaceObject: { metadata: { name: "apps", labels: { env: "dev" } } } }),
      want: [{ result: "skip", messages: ["the policy does not apply: the namespace does not match namespaceSelector"] }],
    },
    {
      name: "namespaceSelector on kubernetes.io/metadata.name without a namespaceObject",
      policy: policy({ matchConstraints: { resourceRules: [RULE], namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "apps" } } } }),
      input: input(deployment(5)),
      want: [{ result: "fail" }],
    },
    {
      name: "namespaceSelector does not exclude cluster-scoped objects",
      policy: policy({
        matchConstraints: { resourceRules: [{ apiGroups: ["rbac.authorization.k8s.io"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["clusterroles"] }], namespaceSelector: { matchLabels: { env: "prod" } } },
        validations: [{ expression: "false" }],
      }),
      input: input({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "r" } }),
      want: [{ result: "fail" }],
    },
    {
      name: "objectSelector",
      policy: policy({ matchConstraints: { resourceRules: [RULE], objectSelector: { matchExpressions: [{ key: "team", operator: "Exists" }] } } }),
      input: input(deployment(5, { labels: { team: "a" } })),
      want: [{ result: "fail" }],
    },
    {
      name: "objectSelector not matching",
      policy: policy({ matchConstraints: { resourceRules: [RULE], objectSelector: { matchExpressions: [{ key: "team", operator: "DoesNotExist" }] } } }),
      input: input(deployment(5, { labels: { team: "a" } })),
      want: [{ result: "skip", messages: ["the policy does not apply: the object does not match objectSelector"] }],
    },
    {
      name: "objectSelector matches the old object on UPDATE",
      policy: policy({ matchConstraints: { resourceRules: [RULE], objectSelector: { matchLabels: { team: "a" } } } }),
      input: input(deployment(5), { operation: "UPDATE", oldObject: deployment(1, { labels: { team: "a" } }) }),
      want: [{ result: "fail" }],
    },
    // request, object, oldObject, namespaceObject
    {
      name: "DELETE: object is null, oldObject is the object",
      policy: policy({
        matchConstraints: { resourceRules: [{ ...RULE, operations: ["DELETE"] }] },
        validations: [{ expression: "object == null && oldObject.metadata.name == 'web' && request.operation == 'DELETE'" }],
      }),
      input: input(deployment(1), { operation: "DELETE" }),
      want: [{ result: "pass" }],
    },
    {
      name: "the request",
      policy: policy({
        validations: [
          {
            expression:
              "request.kind.kind == 'Deployment' && request.kind.group == 'apps' && request.resource.resource == 'deployments' && request.name == 'web' && request.namespace == 'apps' && request.userInfo.username == 'alice' && 'devs' in request.userInfo.groups",
          },
        ],
      }),
      input: input(deployment(1), { userInfo: { username: "alice", groups: ["devs"] } }),
      want: [{ result: "pass" }],
    },
    {
      name: "no userInfo: has(request.userInfo.username) is false",
      policy: policy({ validations: [{ expression: "has(request.userInfo.username)" }] }),
      input: input(deployment(1)),
      want: [{ result: "fail" }],
    },
    {
      name: "namespaceObject",
      policy: policy({ validations: [{ expression: "namespaceObject.metadata.name == 'apps' && namespaceObject.metadata.labels.env == 'prod'" }] }),
      input: input(deployment(1), { namespaceObject: { metadata: { name: "apps", labels: { env: "prod" } } } }),
      want: [{ result: "pass" }],
    },
    {
      name: "namespaceObject is null for cluster-scoped objects",
      policy: policy({
        matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["namespaces"] }] },
        validations: [{ expression: "namespaceObject == null && request.namespace == 'prod'" }],
      }),
      input: input({ apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } }),
      want: [{ result: "pass" }],
    },
    {
      name: "a namespaced object without namespace is in input.namespace",
      policy: policy({ validations: [{ expression: "request.namespace == 'default'" }] }),
      input: input({ ...deployment(1), metadata: { name: "web" } }, { namespace: "default" }),
      want: [{ result: "pass" }],
    },
    {
      name: "the object without namespace gets the request's, as the API server sets it",
      policy: policy({ validations: [{ expression: "object.metadata.namespace == 'team'" }] }),
      input: input({ ...deployment(1), metadata: { name: "web" } }, { namespace: "team" }),
      want: [{ result: "pass" }],
    },
    {
      name: "the authorizer is an error",
      policy: policy({ validations: [{ expression: "authorizer.group('apps').resource('deployments').check('create').allowed()" }] }),
      input: input(deployment(1)),
      want: [{ result: "error", messages: [expect.stringContaining("the authorizer library is not available") as unknown as string] }],
    },
    // bindings
    {
      name: "one result per binding of the policy, others ignored",
      policy: policy({}),
      bindings: [binding({}, "b1"), binding({ validationActions: ["Warn"] }, "b2"), binding({}, "other", "another-policy")],
      input: input(deployment(5)),
      want: [
        { binding: "b1", result: "fail", actions: ["Deny"] },
        { binding: "b2", result: "fail", actions: ["Warn"] },
      ],
    },
    {
      name: "Audit and Warn together",
      policy: policy({}),
      bindings: [binding({ validationActions: ["Warn", "Audit"] })],
      input: input(deployment(5)),
      want: [{ binding: "b", result: "fail", actions: ["Warn", "Audit"] }],
    },
    {
      name: "a binding's matchResources narrows",
      policy: policy({}),
      bindings: [binding({ matchResources: { namespaceSelector: { matchLabels: { env: "prod" } } } })],
      input: input(deployment(5), { namespaceObject: { metadata: { name: "apps", labels: { env: "dev" } } } }),
      want: [{ binding: "b", result: "skip", messages: ["the binding does not apply: the namespace does not match namespaceSelector"] }],
    },
    {
      name: "the policy's matchConstraints still apply with a binding",
      policy: policy({ matchConstraints: { resourceRules: [{ ...RULE, operations: ["UPDATE"] }] } }),
      bindings: [binding({})],
      input: input(deployment(5)),
      want: [{ result: "skip" }],
    },
    // params
    {
      name: "params by name in the object's namespace",
      policy: policy({ paramKind: { apiVersion: "v1", kind: "ConfigMap" }, validations: [{ expression: "object.spec.replicas <= int(params.data.max)" }] }),
      bindings: [binding({ paramRef: { name: "limits", parameterNotFoundAction: "Deny" } })],
      input: input(deployment(5), { objects: [configMap("limits", "other", { max: "10" }), configMap("limits", "apps", { max: "3" })] }),
      want: [{ binding: "b", result: "fail" }],
    },
    {
      name: "params by name in paramRef's namespace",
      policy: policy({ paramKind: { apiVersion: "v1", kind: "ConfigMap" }, validations: [{ expression: "object.spec.replicas <= int(params.data.max)" }] }),
      bindings: [binding({ paramRef: { name: "limits", namespace: "other", parameterNotFoundAction: "Deny" } })],
      input: input(deployment(5), { objects: [configMap("limits", "other", { max: "10" }), configMap("limits", "apps", { max: "3" })] }),
      want: [{ binding: "b", result: "pass" }],
    },
    {
      name: "params by selector: every match is evaluated",
      policy: policy({ paramKind: { apiVersion: "v1", kind: "ConfigMap" }, validations: [{ expression: "object.spec.replicas <= int(params.data.max)", messageExpression: "'max ' + params.data.max" }] }),
      bindings: [binding({ paramRef: { selector: { matchLabels: { limit: "yes" } }, parameterNotFoundAction: "Deny" } })],
      input: input(deployment(5), {
        objects: [configMap("a", "apps", { max: "10" }, { limit: "yes" }), configMap("b", "apps", { max: "3" }, { limit: "yes" }), configMap("c", "apps", { max: "1" })],
      }),
      want: [{ binding: "b", result: "fail", messages: ["max 3"] }],
    },
    {
      name: "no params with parameterNotFoundAction Allow skips",
      policy: policy({ paramKind: { apiVersion: "v1", kind: "ConfigMap" }, validations: [{ expression: "false" }] }),
      bindings: [binding({ paramRef: { name: "missing", parameterNotFoundAction: "Allow" } })],
      input: input(deployment(5)),
      want: [{ binding: "b", result: "skip" }],
    },
    {
      name: "no params with parameterNotFoundAction Deny is a binding error",
      policy: policy({ paramKind: { apiVersion: "v1", kind: "ConfigMap" }, validations: [{ expression: "false" }] }),
      bindings: [binding({ paramRef: { name: "missing", parameterNotFoundAction: "Deny" } })],
      input: input(deployment(5)),
      want: [{ binding: "b", result: "error", actions: ["Deny"], messages: ["failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction"] }],
    },
    {
      name: "paramKind without paramRef is a binding error",
      policy: policy({ paramKind: { apiVersion: "v1", kind: "ConfigMap" }, validations: [{ expression: "params != null" }] }),
      bindings: [binding({})],
      input: input(deployment(5)),
      want: [{ binding: "b", result: "error", messages: ["failed to configure binding: paramKind kind `v1, Kind=ConfigMap` is specified but paramRef is not"] }],
    },
    {
      name: "cluster-scoped params",
      policy: policy({
        paramKind: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole" },
        validations: [{ expression: "params.metadata.name == 'limits'" }],
      }),
      bindings: [binding({ paramRef: { name: "limits", parameterNotFoundAction: "Deny" } })],
      input: input(deployment(5), { objects: [{ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "limits" } }] }),
      want: [{ binding: "b", result: "pass" }],
    },
    {
      name: "a policy without binding is evaluated as bound with Deny",
      policy: policy({ paramKind: { apiVersion: "v1", kind: "ConfigMap" }, validations: [{ expression: "true" }] }),
      input: input(deployment(5)),
      want: [{ result: "error", messages: [expect.stringContaining("is specified but paramRef is not") as unknown as string] }],
    },
    // configuration
    {
      name: "an expression that does not compile makes the policy an error",
      policy: policy({ validations: [{ expression: "object.spec.replicas >" }] }),
      input: input(deployment(1)),
      want: [{ result: "error", actions: ["Deny"], messages: [expect.stringMatching(/^failed to configure policy: spec\.validations\[0\]\.expression: expression .* does not compile/) as unknown as string] }],
    },
    {
      name: "a policy that does not match is skipped even when broken",
      policy: policy({ matchConstraints: { resourceRules: [{ ...RULE, resources: ["statefulsets"] }] }, validations: [{ expression: "(" }] }),
      input: input(deployment(1)),
      want: [{ result: "skip" }],
    },
  ])("$name", ({ policy: p, bindings, input: i, want }) => {
    const results = evaluateValidatingAdmissionPolicy(p, bindings ?? [], i);
    expect(results).toHaveLength(want.length);
    results.forEach((result, index) => expect(result).toMatchObject({ policy: "p", ...want[index] }));
  });
});

describe("checkValidatingAdmissionPolicy", () => {
  it.each<{ name: string; spec: Obj; want: (string | RegExp)[] }>([
    { name: "a valid policy", spec: {}, want: [] },
    { name: "a validation that does not compile", spec: { validations: [{ expression: "object.spec.replicas >" }] }, want: [/^spec\.validations\[0\]\.expression: expression "object\.spec\.replicas >" does not compile: /] },
    { name: "a validation that is not bool", spec: { validations: [{ expression: "'yes'" }] }, want: [`spec.validations[0].expression: expression "'yes'" must evaluate to bool, not string`] },
    { name: "a messageExpression that is not a string", spec: { validations: [{ expression: "true", messageExpression: "1" }] }, want: [`spec.validations[0].messageExpression: expression "1" must evaluate to string, not int`] },
    { name: "params without paramKind", spec: { validations: [{ expression: "params.x == 1" }] }, want: [/refers to params, but spec\.paramKind is not set/] },
    { name: "an undefined variable", spec: { validations: [{ expression: "variables.nope" }] }, want: [/refers to variables\.nope, which spec\.variables does not define/] },
    { name: "a variable name that is not an identifier", spec: { variables: [{ name: "a-b", expression: "1" }] }, want: [/spec\.variables\[0\]\.name: Invalid value: "a-b"/] },
    { name: "duplicate match condition names", spec: { matchConditions: [{ name: "a", expression: "true" }, { name: "a", expression: "true" }] }, want: ['spec.matchConditions[1].name: Duplicate value: "a"'] },
    { name: "no validations", spec: { validations: [] }, want: ["spec.validations: Required value: validations or auditAnnotations must contain at least one item"] },
    { name: "no matchConstraints", spec: { matchConstraints: undefined }, want: ["spec.matchConstraints: Required value"] },
    {
      name: "a rule without operations",
      spec: { matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }] } },
      want: ["spec.matchConstraints.resourceRules[0].operations: Required value"],
    },
    { name: "an unknown failurePolicy", spec: { failurePolicy: "Sometimes" }, want: [/^spec\.failurePolicy: Unsupported value: "Sometimes"/] },
    { name: "an unknown reason", spec: { validations: [{ expression: "true", reason: "Nope" }] }, want: [/^spec\.validations\[0\]\.reason: Unsupported value: "Nope"/] },
    { name: "an audit annotation that does not compile", spec: { auditAnnotations: [{ key: "k", valueExpression: "(" }] }, want: [/^spec\.auditAnnotations\[0\]\.valueExpression: expression "\(" does not compile/] },
    { name: "a bad selector operator", spec: { matchConstraints: { resourceRules: [RULE], namespaceSelector: { matchExpressions: [{ key: "a", operator: "Is" }] } } }, want: [/^spec\.matchConstraints\.namespaceSelector: matchExpressions\[0\]\.operator/] },
  ])("$name", ({ spec, want }) => {
    const problems = checkValidatingAdmissionPolicy(policy(spec));
    expect(problems).toHaveLength(want.length);
    problems.forEach((problem, i) => (typeof want[i] === "string" ? expect(problem).toBe(want[i]) : expect(problem).toMatch(want[i] as RegExp)));
  });

  it.each<{ name: string; spec: Obj; want: string[] }>([
    { name: "a valid binding", spec: {}, want: [] },
    { name: "no validationActions", spec: { validationActions: [] }, want: ["spec.validationActions: Required value"] },
    { name: "Deny with Warn", spec: { validationActions: ["Deny", "Warn"] }, want: ['spec.validationActions: Invalid value: "Deny" and "Warn" cannot be used together'] },
    { name: "paramRef with name and selector", spec: { paramRef: { name: "a", selector: {} } }, want: ["spec.paramRef: Invalid value: one of name or selector must be set"] },
  ])("binding: $name", ({ spec, want }) => {
    expect(checkValidatingAdmissionPolicyBinding(binding(spec))).toEqual(want);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Kyverno's CLI suites for ValidatingAdmissionPolicies

const KYVERNO = path.join(SHARED, "conformance", "kyverno-cli");
const FOLDERS = [path.join(KYVERNO, "test-validating-admission-policy"), path.join(KYVERNO, "test", "validating-admission-policies")];

function documents(file: string): Obj[] {
  return parseAllDocuments(readFileSync(file, "utf8"))
    .map((d) => d.toJS() as unknown)
    .filter((v): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v));
}

const rec = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

interface Suite {
  dir: string;
  policies: Obj[];
  bindings: Obj[];
  resources: Obj[];
  objects: Obj[];
  namespaces: Map<string, Obj>;
  userInfo?: VapInput["userInfo"];
}

function loadSuite(dir: string, policyFiles: string[], resourceFiles: string[], extra: { params?: string[]; values?: string; userinfo?: string } = {}): Suite {
  const policyDocs = policyFiles.flatMap((f) => documents(path.join(dir, f)));
  const resourceDocs = resourceFiles.flatMap((f) => documents(path.join(dir, f)));
  const paramDocs = (extra.params ?? []).flatMap((f) => documents(path.join(dir, f)));
  const all = [...policyDocs, ...resourceDocs, ...paramDocs];
  const namespaces = new Map<string, Obj>();
  if (extra.values) {
    for (const entry of (rec(documents(path.join(dir, extra.values))[0]).namespaceSelector as Obj[] | undefined) ?? []) {
      namespaces.set(String(entry.name), { apiVersion: "v1", kind: "Namespace", metadata: { name: entry.name, labels: entry.labels } });
    }
  }
  const userInfo = extra.userinfo ? (rec(documents(path.join(dir, extra.userinfo))[0]).userInfo as VapInput["userInfo"]) : undefined;
  return {
    dir,
    policies: all.filter((d) => d.kind === "ValidatingAdmissionPolicy"),
    bindings: all.filter((d) => d.kind === "ValidatingAdmissionPolicyBinding"),
    resources: resourceDocs.filter((d) => d.kind !== "ValidatingAdmissionPolicy" && d.kind !== "ValidatingAdmissionPolicyBinding"),
    objects: all,
    namespaces,
    userInfo,
  };
}

/** One result per policy and resource, as Kyverno's CLI reports it: the first binding that applies decides. */
function kyvernoResult(results: VapResult[]): string {
  const decided = results.find((r) => r.result !== "skip");
  return decided?.result ?? "skip";
}

function evaluateResource(suite: Suite, policyName: string, resource: Obj): string {
  const policy = suite.policies.find((p) => rec(p.metadata).name === policyName);
  if (!policy) throw new Error(`${suite.dir}: no policy ${policyName}`);
  const namespace = String(rec(resource.metadata).namespace ?? "default");
  return kyvernoResult(
    evaluateValidatingAdmissionPolicy(policy, suite.bindings, {
      object: resource,
      operation: "CREATE",
      objects: suite.objects,
      namespace: "default",
      namespaceObject: suite.namespaces.get(namespace),
      userInfo: suite.userInfo,
    }),
  );
}

interface ConformanceCase {
  suite: string;
  policy: string;
  resource: string;
  expected: string;
  run: () => string;
}

function kyvernoTestCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const root of FOLDERS.filter((f) => existsSync(f))) {
    for (const name of readdirSync(root).sort()) {
      const dir = path.join(root, name);
      if (!statSync(dir).isDirectory() || !existsSync(path.join(dir, "kyverno-test.yaml"))) continue;
      const test = rec(documents(path.join(dir, "kyverno-test.yaml"))[0]);
      const suite = loadSuite(dir, (test.policies as string[]) ?? [], (test.resources as string[]) ?? [], {
        params: test.paramResources as string[] | undefined,
        values: test.variables as string | undefined,
        userinfo: test.userinfo as string | undefined,
      });
      for (const raw of (test.results as Obj[]) ?? []) {
        if (!raw.isValidatingAdmissionPolicy) continue;
        for (const resourceName of (raw.resources as string[]) ?? []) {
          const policyName = String(raw.policy);
          cases.push({
            suite: path.relative(KYVERNO, dir),
            policy: policyName,
            resource: resourceName,
            expected: String(raw.result),
            run: () => {
              const resource = suite.resources.find((r) => rec(r.metadata).name === resourceName && (raw.kind === undefined || r.kind === raw.kind));
              if (!resource) throw new Error(`no resource ${resourceName}`);
              return evaluateResource(suite, policyName, resource);
            },
          });
        }
      }
    }
  }
  return cases;
}

/**
 * The folders without a kyverno-test.yaml are run by `kyverno apply` in Kyverno's
 * cmd/cli/kubectl-kyverno/commands/apply/command_test.go (Test_Apply), which expects one pass or one fail per file.
 */
const APPLY_CASES: { folder: string; policy: string; file: string; expected: string }[] = [
  { folder: "check-deployments-replica", policy: "check-deployment-replicas", file: "deployment1.yaml", expected: "pass" },
  { folder: "check-deployments-replica", policy: "check-deployment-replicas", file: "deployment2.yaml", expected: "fail" },
  { folder: "disallow-host-path", policy: "disallow-host-path", file: "pod1.yaml", expected: "pass" },
  { folder: "disallow-host-path", policy: "disallow-host-path", file: "pod2.yaml", expected: "fail" },
  { folder: "check-deployment-labels", policy: "check-deployment-labels", file: "deployment1.yaml", expected: "pass" },
  { folder: "check-deployment-labels", policy: "check-deployment-labels", file: "deployment2.yaml", expected: "fail" },
];

function applyCases(): ConformanceCase[] {
  const root = FOLDERS[0]!;
  if (!existsSync(root)) return [];
  return APPLY_CASES.map(({ folder, policy, file, expected }) => ({
    suite: `test-validating-admission-policy/${folder} (kyverno apply ${file})`,
    policy,
    resource: file,
    expected,
    run: () => {
      const suite = loadSuite(path.join(root, folder), ["policy.yaml"], [file]);
      return evaluateResource(suite, policy, suite.resources[0]!);
    },
  }));
}

const CONFORMANCE = [...kyvernoTestCases(), ...applyCases()];

describe.skipIf(CONFORMANCE.length === 0)("Kyverno CLI ValidatingAdmissionPolicy suites (skipped when ../shared/conformance is absent)", () => {
  let passed = 0;
  afterAll(() => {
    console.log(`ValidatingAdmissionPolicy conformance: ${passed} / ${CONFORMANCE.length} expected results match`);
  });

  it("finds the suites", () => {
    expect(CONFORMANCE.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CONFORMANCE.map((c) => ({ ...c, label: `${c.suite}: ${c.policy} on ${c.resource} is ${c.expected}` })))("$label", ({ expected, run }) => {
    expect(run()).toBe(expected);
    passed++;
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Kyverno ValidatingPolicy (policies.kyverno.io), after kyverno pkg/cel/policies/vpol

function vpol(spec: Obj, name = "vp", extra: Obj = {}): Obj {
  return {
    apiVersion: "policies.kyverno.io/v1beta1",
    kind: "ValidatingPolicy",
    metadata: { name },
    spec: { matchConstraints: { resourceRules: [RULE] }, validations: [{ expression: "object.spec.replicas <= 2", message: "too many" }], ...spec },
    ...extra,
  };
}

const exception = (conditions: string[], policyName = "vp"): Obj => ({
  apiVersion: "policies.kyverno.io/v1alpha1",
  kind: "PolicyException",
  metadata: { name: "ex" },
  spec: { policyRefs: [{ name: policyName, kind: "ValidatingPolicy" }], matchConditions: conditions.map((expression, i) => ({ name: `c${i}`, expression })) },
});

describe("evaluateKyvernoValidatingPolicy", () => {
  it.each<{ name: string; policy: Obj; input: KyvernoPolicyInput; want: Partial<KyvernoPolicyResult> }>([
    { name: "pass", policy: vpol({}), input: input(deployment(1)), want: { result: "pass", actions: [], messages: [] } },
    { name: "fail with the message as written", policy: vpol({}), input: input(deployment(3)), want: { result: "fail", actions: ["Deny"], messages: ["too many"] } },
    {
      name: "the policy's validationActions",
      policy: vpol({ validationActions: ["Audit", "Warn"] }),
      input: input(deployment(3)),
      want: { result: "fail", actions: ["Audit", "Warn"] },
    },
    {
      name: "the first failing validation decides",
      policy: vpol({ validations: [{ expression: "true" }, { expression: "false", message: "second" }, { expression: "false", message: "third" }] }),
      input: input(deployment(1)),
      want: { result: "fail", messages: ["second"] },
    },
    {
      name: "no message: Kyverno's default",
      policy: vpol({ validations: [{ expression: "true" }, { expression: "false" }] }),
      input: input(deployment(1)),
      want: { result: "fail", messages: ["CEL expression validation failed at index 1"] },
    },
    {
      name: "a messageExpression that fails says so",
      policy: vpol({ validations: [{ expression: "false", messageExpression: "object.nope" }] }),
      input: input(deployment(1)),
      want: { result: "fail", messages: [expect.stringMatching(/^failed to evaluate message expression: /) as unknown as string] },
    },
    {
      name: "an evaluation error",
      policy: vpol({ validations: [{ expression: "object.nope == 1" }] }),
      input: input(deployment(1)),
      want: { result: "error", actions: ["Deny"] },
    },
    {
      name: "variables",
      policy: vpol({ variables: [{ name: "r", expression: "object.spec.replicas" }], validations: [{ expression: "variables.r < 2", messageExpression: "'replicas ' + string(variables.r)" }] }),
      input: input(deployment(3)),
      want: { result: "fail", messages: ["replicas 3"] },
    },
    {
      name: "a false match condition skips",
      policy: vpol({ matchConditions: [{ name: "prod", expression: "object.metadata.namespace == 'prod'" }] }),
      input: input(deployment(3)),
      want: { result: "skip" },
    },
    { name: "another resource skips", policy: vpol({}), input: input(configMap("c", "apps", {})), want: { result: "skip" } },
    {
      name: "a PolicyException whose conditions hold skips",
      policy: vpol({}),
      input: input(deployment(3), { objects: [exception(["object.metadata.namespace == 'apps'"])] }),
      want: { result: "skip", exceptions: ["ex"], messages: ["excluded by PolicyException ex"] },
    },
    {
      name: "a PolicyException whose conditions do not hold",
      policy: vpol({}),
      input: input(deployment(3), { objects: [exception(["object.metadata.namespace == 'prod'"])] }),
      want: { result: "fail" },
    },
    {
      name: "a PolicyException with allowedValues does not skip: the policy reads them",
      policy: vpol({ validations: [{ expression: "object.metadata.name in exceptions.allowedValues", message: "not allowed" }] }),
      input: input(deployment(3), { objects: [{ ...exception(["true"]), spec: { ...rec(exception(["true"]).spec), allowedValues: ["web"] } }] }),
      want: { result: "pass" },
    },
    {
      name: "a PolicyException for another policy",
      policy: vpol({}),
      input: input(deployment(3), { objects: [exception(["true"], "other")] }),
      want: { result: "fail" },
    },
    {
      name: "resource.get reads the objects given",
      policy: vpol({
        variables: [{ name: "cm", expression: "resource.get('v1', 'configmaps', 'apps', 'limits')" }],
        validations: [{ expression: "object.spec.replicas <= int(variables.cm.data.max)" }],
      }),
      input: input(deployment(3), { objects: [configMap("limits", "apps", { max: "2" })] }),
      want: { result: "fail" },
    },
    {
      name: "resource.list reads the objects given",
      policy: vpol({ validations: [{ expression: "resource.list('v1', 'configmaps', 'apps').items.size() == 2" }] }),
      input: input(deployment(1), { objects: [configMap("a", "apps", {}), configMap("b", "apps", {}), configMap("c", "other", {})] }),
      want: { result: "pass" },
    },
    {
      name: "resource.get of a missing object is an error",
      policy: vpol({ validations: [{ expression: "resource.get('v1', 'configmaps', 'apps', 'nope').data.x == '1'" }] }),
      input: input(deployment(1)),
      want: { result: "error", messages: [expect.stringContaining('configmaps "nope" not found') as unknown as string] },
    },
    {
      name: "http is out of scope",
      policy: vpol({ validations: [{ expression: "http.Get('https://example.com').ok == true" }] }),
      input: input(deployment(1)),
      want: { result: "error", messages: [expect.stringContaining("Kyverno's http library is not available") as unknown as string] },
    },
    {
      name: "JSON mode: the object is the payload, nothing is matched",
      policy: vpol({ evaluation: { mode: "JSON" }, matchConstraints: undefined, validations: [{ expression: "object.data.value > 10", message: "small" }] }),
      input: input({ data: { value: 3 } }),
      want: { result: "fail", messages: ["small"] },
    },
    {
      name: "a NamespacedValidatingPolicy only applies in its namespace",
      policy: { ...vpol({}), kind: "NamespacedValidatingPolicy", metadata: { name: "vp", namespace: "other" } },
      input: input(deployment(3)),
      want: { result: "skip" },
    },
    {
      name: "an expression that does not compile",
      policy: vpol({ validations: [{ expression: "object.spec.replicas <" }] }),
      input: input(deployment(1)),
      want: { result: "error", messages: [expect.stringMatching(/^failed to compile policy: spec\.validations\[0\]\.expression: /) as unknown as string] },
    },
  ])("$name", ({ policy: p, input: i, want }) => {
    expect(evaluateKyvernoValidatingPolicy(p, i)).toMatchObject({ policy: "vp", ...want });
  });

  it.each<{ name: string; policy: Obj; want: (string | RegExp)[] }>([
    { name: "a valid policy", policy: vpol({}), want: [] },
    {
      name: "variables in matchConditions",
      policy: vpol({ variables: [{ name: "a", expression: "1" }], matchConditions: [{ name: "m", expression: "variables.a == 1" }] }),
      want: [/^spec\.matchConditions\[0\]\.expression: Forbidden: variables cannot be referenced/],
    },
    { name: "params are not Kyverno's", policy: vpol({ validations: [{ expression: "params == null" }] }), want: [/refers to params/] },
    { name: "an unknown validation action", policy: vpol({ validationActions: ["Block"] }), want: [/^spec\.validationActions\[0\]: Unsupported value: "Block"/] },
    { name: "not a ValidatingPolicy", policy: { ...vpol({}), apiVersion: "kyverno.io/v1" }, want: [/^not a Kyverno ValidatingPolicy/] },
  ])("check: $name", ({ policy: p, want }) => {
    const problems = checkKyvernoValidatingPolicy(p);
    expect(problems).toHaveLength(want.length);
    problems.forEach((problem, i) => (typeof want[i] === "string" ? expect(problem).toBe(want[i]) : expect(problem).toMatch(want[i] as RegExp)));
  });

  it("recognises the API versions", () => {
    for (const version of ["v1alpha1", "v1beta1", "v1"]) expect(isKyvernoValidatingPolicy({ apiVersion: `policies.kyverno.io/${version}`, kind: "ValidatingPolicy" })).toBe(true);
    expect(isKyvernoValidatingPolicy({ apiVersion: "kyverno.io/v1", kind: "ClusterPolicy" })).toBe(false);
  });
});

/** Suites that need what a repository cannot give: HTTP and Envoy requests, image metadata from registries. */
const VPOL_OUT_OF_SCOPE: Record<string, string> = {
  "envoy-allow": "Envoy authorization payloads",
  "envoy-deny": "Envoy authorization payloads",
  "envoy-jwt": "Envoy authorization payloads",
  "http-allow": "HTTP authorization payloads",
  "http-deny": "HTTP authorization payloads",
  "allowed-base-images": "image metadata from registries",
};

function vpolCases(): ConformanceCase[] {
  const root = path.join(KYVERNO, "test-validating-policy");
  if (!existsSync(root)) return [];
  const cases: ConformanceCase[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = path.join(root, name);
    if (VPOL_OUT_OF_SCOPE[name] || !existsSync(path.join(dir, "kyverno-test.yaml"))) continue;
    for (const test of documents(path.join(dir, "kyverno-test.yaml"))) {
      const read = (files: unknown) => ((files as string[] | undefined) ?? []).flatMap((f) => documents(path.join(dir, f)));
      const policies = read(test.policies).filter((d) => isKyvernoValidatingPolicy(d));
      const resources = read(test.resources);
      const exceptions = read(test.exceptions);
      const context = test.context ? ((rec(rec(documents(path.join(dir, String(test.context)))[0]).spec).resources as Obj[] | undefined) ?? []) : [];
      const namespaces = new Map<string, Obj>();
      if (test.variables) {
        const values = rec(documents(path.join(dir, String(test.variables)))[0]);
        for (const entry of (values.namespaceSelector as Obj[] | undefined) ?? []) namespaces.set(String(entry.name), { metadata: { name: entry.name, labels: entry.labels } });
        for (const ns of (values.namespaces as Obj[] | undefined) ?? []) namespaces.set(String(rec(ns.metadata).name), ns);
      }
      const payloads = ((test.jsonPayloads as string[] | undefined) ?? []).map((f) => ({ file: f, value: JSON.parse(readFileSync(path.join(dir, f), "utf8")) as Obj }));
      const userInfo = test.userinfo ? (rec(documents(path.join(dir, String(test.userinfo)))[0]).userInfo as KyvernoPolicyInput["userInfo"]) : undefined;
      for (const raw of (test.results as Obj[]) ?? []) {
        const policy = policies.find((p) => rec(p.metadata).name === raw.policy);
        if (!policy) continue;
        const targets: { label: string; object: Obj }[] = [];
        if (payloads.length > 0) {
          const wanted = (raw.resources as string[] | undefined) ?? payloads.map((p) => p.file);
          for (const p of payloads.filter((p) => wanted.includes(p.file))) targets.push({ label: p.file, object: p.value });
        } else {
          for (const resourceName of (raw.resources as string[]) ?? []) {
            const [ns, nm] = resourceName.includes("/") ? resourceName.split("/") : [undefined, resourceName];
            const object = resources.find(
              (r) => rec(r.metadata).name === nm && (raw.kind === undefined || r.kind === raw.kind) && (ns === undefined || rec(r.metadata).namespace === ns),
            );
            targets.push({ label: resourceName, object: object ?? { missing: resourceName } });
          }
        }
        for (const target of targets) {
          cases.push({
            suite: `test-validating-policy/${name}`,
            policy: String(raw.policy),
            resource: target.label,
            expected: String(raw.result),
            run: () => {
              const namespace = String(rec(target.object.metadata).namespace ?? "default");
              return evaluateKyvernoValidatingPolicy(policy, {
                object: target.object,
                operation: (raw.operation as KyvernoPolicyInput["operation"] | undefined) ?? "CREATE",
                objects: [...context, ...resources, ...exceptions],
                namespace: "default",
                namespaceObject: namespaces.get(namespace),
                userInfo,
              }).result;
            },
          });
        }
      }
    }
  }
  return cases;
}

const VPOL_CONFORMANCE = vpolCases();

describe.skipIf(VPOL_CONFORMANCE.length === 0)("Kyverno CLI ValidatingPolicy suites (skipped when ../shared/conformance is absent)", () => {
  let passed = 0;
  afterAll(() => {
    console.log(
      `Kyverno ValidatingPolicy conformance: ${passed} / ${VPOL_CONFORMANCE.length} expected results match (out of scope: ${Object.keys(VPOL_OUT_OF_SCOPE).join(", ")})`,
    );
  });

  it.each(VPOL_CONFORMANCE.map((c) => ({ ...c, label: `${c.suite}: ${c.policy} on ${c.resource} is ${c.expected}` })))("$label", ({ expected, run }) => {
    expect(run()).toBe(expected);
    passed++;
  });
});
