// Tests of Kyverno's context and {{ }} substitution (src/policy/kyverno/variables.ts).
// Cases are ported from kyverno/kyverno pkg/engine/variables/vars_test.go (names kept as Test_*),
// pkg/utils/image/infos_test.go and pkg/engine/context/context.go, and from the CLI conformance suites
// (/work/shared/conformance/kyverno-cli) test/variables, test/variables-deprecated, test/context-entries,
// test/unordered-context-variables, test/nil-values-in-variables, test/jmespath-brackets, test/images and
// test-mutate/foreach.
import { describe, expect, it } from "vitest";
import { JmespathError } from "../../src/policy/kyverno/jmespath.ts";
import { evaluateVariableEntry, hasVariables, imagesOf, KyvernoContext, substituteVariables, VariableError } from "../../src/policy/kyverno/variables.ts";

const resource = {
  metadata: { name: "temp", namespace: "n1", annotations: { test: "name" } },
  spec: { namespace: "n1", name: "temp1" },
};

/** vars_test.go variableObject */
const variableObject = {
  complex_object_array: ["value1", "value2", "value3"],
  complex_object_map: { key1: "value1", key2: "value2", key3: "value3" },
  simple_object_bool: false,
  simple_object_int: 5,
  simple_object_float: -5.5,
  simple_object_string: "example",
  simple_object_null: null,
};

const contextOf = (object: unknown, extra: Partial<ConstructorParameters<typeof KyvernoContext>[0]> = {}): KyvernoContext =>
  new KyvernoContext({ object, operation: "CREATE", ...extra });

describe("substituteVariables (vars_test.go)", () => {
  it.each<{ name: string; pattern: unknown; want: unknown }>([
    { name: "Test_SubstituteNull", pattern: { spec: { content: "{{ request.object.simple_object_null }}" } }, want: { spec: { content: null } } },
    { name: "Test_SubstituteNullInString", pattern: { spec: { content: "content = {{ request.object.simple_object_null }}" } }, want: { spec: { content: "content = null" } } },
    { name: "Test_SubstituteArray", pattern: { spec: { content: "{{ request.object.complex_object_array }}" } }, want: { spec: { content: ["value1", "value2", "value3"] } } },
    {
      name: "Test_SubstituteArrayInString",
      pattern: { spec: { content: "content is {{ request.object.complex_object_map }}" } },
      want: { spec: { content: 'content is {"key1":"value1","key2":"value2","key3":"value3"}' } },
    },
    { name: "Test_SubstituteInt", pattern: { spec: { content: "{{ request.object.simple_object_int }}" } }, want: { spec: { content: 5 } } },
    { name: "Test_SubstituteIntInString", pattern: { spec: { content: "content = {{ request.object.simple_object_int }}" } }, want: { spec: { content: "content = 5" } } },
    { name: "Test_SubstituteBool", pattern: { spec: { content: "{{ request.object.simple_object_bool }}" } }, want: { spec: { content: false } } },
    { name: "Test_SubstituteBoolInString", pattern: { spec: { content: "content = {{ request.object.simple_object_bool }}" } }, want: { spec: { content: "content = false" } } },
    { name: "Test_SubstituteString", pattern: { spec: { content: "{{ request.object.simple_object_string }}" } }, want: { spec: { content: "example" } } },
    { name: "Test_SubstituteStringInString", pattern: { spec: { content: "content = {{ request.object.simple_object_string }}" } }, want: { spec: { content: "content = example" } } },
    { name: "a float in a string prints as Go's JSON", pattern: "x{{ request.object.simple_object_float }}", want: "x-5.5" },
    { name: "a string with no variable is kept", pattern: "{{ not closed }", want: "{{ not closed }" },
    { name: "numbers and booleans are left alone", pattern: [1, true, null], want: [1, true, null] },
  ])("$name", ({ pattern, want }) => {
    expect(substituteVariables(pattern, contextOf(variableObject))).toEqual(want);
  });

  it("Test_subVars_success: every place a variable may be", () => {
    const pattern = {
      kind: "{{request.object.metadata.name}}",
      name: "ns-owner-{{request.object.metadata.name}}",
      data: { rules: [{ apiGroups: ["{{request.object.metadata.name}}"], resources: ["namespaces"], verbs: ["*"], resourceNames: ["{{request.object.metadata.name}}"] }] },
    };
    expect(substituteVariables(pattern, contextOf(resource))).toEqual({
      kind: "temp",
      name: "ns-owner-temp",
      data: { rules: [{ apiGroups: ["temp"], resources: ["namespaces"], verbs: ["*"], resourceNames: ["temp"] }] },
    });
  });

  it("Test_subVars_failed: a missing variable is an error naming it and where", () => {
    const pattern = { kind: "{{request.object.metadata.name1}}", name: "ns-owner-{{request.object.metadata.name}}" };
    const error = (() => {
      try {
        substituteVariables(pattern, contextOf(resource), { path: "/validate/pattern" });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(VariableError);
    expect(error).toMatchObject({ variable: "request.object.metadata.name1", path: "/validate/pattern/kind", reason: "not-found" });
    expect((error as Error).message).toBe('failed to resolve request.object.metadata.name1 at path /validate/pattern/kind: JMESPath query failed: Unknown key "name1" in path');
  });

  it("Test_subVars_with_JMESPath_At: {{@}} is the resource's value at the same path", () => {
    const document = { mutate: { overlay: { spec: { kind: "{{@}}", data: { rules: [{ apiGroups: ["{{request.object.metadata.name}}"] }] } } } } };
    const object = { metadata: { name: "temp", namespace: "n1" }, spec: { kind: "foo", namespace: "n1", name: "temp1" } };
    expect(substituteVariables(document, contextOf(object), { path: "" })).toEqual({ mutate: { overlay: { spec: { kind: "foo", data: { rules: [{ apiGroups: ["temp"] }] } } } } });
  });

  it("Test_subVars_withRegexMatch: an inner {{@}} inside a function call", () => {
    const document = { mutate: { overlay: { spec: { port: "{{ regex_match('(443)', '{{@}}') }}", name: "ns-owner-{{request.object.metadata.name}}" } } } };
    const object = { metadata: { name: "temp", namespace: "n1" }, spec: { port: "443", namespace: "n1", name: "temp1" } };
    expect(substituteVariables(document, contextOf(object), { path: "" })).toEqual({ mutate: { overlay: { spec: { name: "ns-owner-temp", port: true } } } });
  });

  it("Test_subVars_withRegexReplaceAll", () => {
    const document = { mutate: { overlay: { spec: { port: "{{ regex_replace_all_literal('.*', '{{@}}', '1313') }}", name: "ns-owner-{{request.object.metadata.name}}" } } } };
    const object = { metadata: { name: "temp", namespace: "n1" }, spec: { port: "43123", namespace: "n1", name: "temp1" } };
    expect(substituteVariables(document, contextOf(object), { path: "" })).toEqual({ mutate: { overlay: { spec: { name: "ns-owner-temp", port: "1313" } } } });
  });

  it("{{@}} without a path: the value's root is the resource's root; foreach paths skip to the element pattern", () => {
    const object = { spec: { kind: "foo", containers: [{ name: "c0" }] } };
    expect(substituteVariables({ spec: { kind: "{{@}}" } }, contextOf(object))).toEqual({ spec: { kind: "foo" } });
    expect(substituteVariables({ spec: { containers: [{ name: "{{@}}" }] } }, contextOf(object), { path: "/validate/foreach/0/pattern" })).toEqual({ spec: { containers: [{ name: "c0" }] } });
  });

  it("{{@}} reads the mutate target when the context has one", () => {
    const context = contextOf({ spec: { kind: "from-object" } }).with("target", { spec: { kind: "from-target" } });
    expect(substituteVariables({ spec: { kind: "{{@}}" } }, context)).toEqual({ spec: { kind: "from-target" } });
  });

  const deleting = new KyvernoContext({
    object: { metadata: { name: "curr", namespace: "ns", annotations: { target: "foo" } } },
    oldObject: { metadata: { name: "old", annotations: { target: "bar", targetnew: "target" } } },
    operation: "DELETE",
  });

  it("Test_ReplacingPathWhenDeleting: request.object reads request.oldObject", () => {
    expect(substituteVariables("{{request.object.metadata.annotations.target}}", deleting)).toBe("bar");
  });

  it("Test_ReplacingNestedVariableWhenDeleting", () => {
    expect(substituteVariables("{{request.object.metadata.annotations.{{request.object.metadata.annotations.targetnew}}}}", deleting)).toBe("bar");
  });

  it("Test_ReplacingEscpNestedVariableWhenDeleting: an escaped variable keeps its braces, its inner variable is substituted", () => {
    expect(substituteVariables("\\{{request.object.metadata.annotations.{{request.object.metadata.annotations.targetnew}}}}", deleting)).toBe("{{request.object.metadata.annotations.target}}");
  });

  it("Test_SubstituteSuccess: a variable inside quotes is spliced", () => {
    expect(substituteVariables('"{{request.object.metadata.annotations.test}}"', contextOf(resource))).toBe('"name"');
  });

  it("Test_SubstituteRecursive: the inner variable first", () => {
    expect(substituteVariables('"{{request.object.metadata.{{request.object.metadata.annotations.test}}}}"', contextOf(resource))).toBe('"temp"');
  });

  it.each(['"{{request.object.metadata.{{request.object.metadata.annotations.test2}}}}"', '"{{request.object.metadata2.{{request.object.metadata.annotations.test}}}}"'])(
    "Test_SubstituteRecursiveErrors %s",
    (pattern) => {
      expect(() => substituteVariables(pattern, contextOf(resource))).toThrow(VariableError);
    },
  );

  it("Test_variableSubstitution_array: a message with a context entry", () => {
    const context = contextOf({ metadata: { name: "busybox", labels: { animal: "cow" } } }).with("animals", { data: { animals: "snake\nbear\ncat\ndog" } });
    expect(substituteVariables("The animal {{ request.object.metadata.labels.animal }} is not in the allowed list of animals: {{ animals.data.animals }}.", context)).toBe(
      "The animal cow is not in the allowed list of animals: snake\nbear\ncat\ndog.",
    );
  });

  it("Test_ReferenceSubstitution: $(...) references resolve against the document, anchors ignored", () => {
    const document = { metadata: { name: "temp", namespace: "n1", annotations: { test: "$(../../../../spec/namespace)" } }, "(spec)": { namespace: "n1", name: "temp1" } };
    expect(substituteVariables(document, contextOf(document))).toEqual({ ...document, metadata: { ...document.metadata, annotations: { test: "n1" } } });
  });

  it("TestActualizePattern_GivenRelativePathThatExists: a reference with an operator", () => {
    const pattern = { spec: { containers: [{ name: "*", resources: { requests: { memory: "$(<=./../../limits/memory)" }, limits: { memory: "2048Mi" } } }] } };
    const out = substituteVariables(pattern, contextOf({})) as typeof pattern;
    expect(out.spec.containers[0]!.resources.requests.memory).toBe("<=2048Mi");
  });

  it("Test_EscpReferenceSubstitution: \\$( is kept as $(", () => {
    const document = {
      metadata: { name: "temp", annotations: { test1: "$(../../../../spec/namespace)", test2: "\\$(ENV_VAR)", test3: "\\${ENV_VAR}", test4: "\\\\\\${ENV_VAR}" } },
      "(spec)": { namespace: "n1", name: "temp1" },
    };
    const out = substituteVariables(document, contextOf(document)) as typeof document;
    expect(out.metadata.annotations).toEqual({ test1: "n1", test2: "$(ENV_VAR)", test3: "\\${ENV_VAR}", test4: "\\\\\\${ENV_VAR}" });
  });

  it("a reference that resolves to nothing is an error (an unescaped $(VAR) in a pattern)", () => {
    expect(() => substituteVariables({ args: ["echo $(FOO)"] }, contextOf({}))).toThrow("got nil resolved variable");
    expect(substituteVariables({ args: ["echo $(FOO)"] }, contextOf({}), { references: false })).toEqual({ args: ["echo $(FOO)"] });
  });
});

describe("substitution details", () => {
  const context = contextOf({ metadata: { name: "web", labels: { app: "web", tier: "" } }, spec: { replicas: 3 } });

  it.each<{ name: string; pattern: unknown; want: unknown }>([
    { name: "spaces inside the braces", pattern: "{{   request.object.metadata.name   }}", want: "web" },
    { name: "two variables side by side", pattern: "{{request.object.metadata.name}}{{request.object.spec.replicas}}", want: "web3" },
    { name: "the same variable twice", pattern: "{{request.object.metadata.name}}-{{request.object.metadata.name}}", want: "web-web" },
    { name: "an escaped variable", pattern: "\\{{ request.object.metadata.name }} is {{ request.object.metadata.name }}", want: "{{ request.object.metadata.name }} is web" },
    { name: "|| defaults a missing label", pattern: "{{ request.object.metadata.labels.missing || 'none' }}", want: "none" },
    { name: "|| falls through an empty string", pattern: "{{ request.object.metadata.labels.tier || 'none' }}", want: "none" },
    { name: "a literal map in backticks inside braces", pattern: '{{ request.object.metadata.labels | merge(@, `{"x": "1"}`) }}', want: { app: "web", tier: "", x: "1" } },
    { name: "a key is substituted", pattern: { "{{ request.object.metadata.name }}-key": "v" }, want: { "web-key": "v" } },
    { name: "a number as a whole string keeps its type", pattern: "{{ request.object.spec.replicas }}", want: 3 },
    { name: "request.namespace defaults to the object's namespace, here none", pattern: "{{ request.namespace }}", want: "" },
    { name: "request.operation", pattern: "{{ request.operation }}", want: "CREATE" },
  ])("$name", ({ pattern, want }) => {
    expect(substituteVariables(pattern, context)).toEqual(want);
  });

  it("a substituted value is itself substituted (the traversal continues into it)", () => {
    const withTemplate = context.with("tpl", { greeting: "hello {{ request.object.metadata.name }}" });
    expect(substituteVariables("{{ tpl }}", withTemplate)).toEqual({ greeting: "hello web" });
  });

  it("a key that becomes an object is an error", () => {
    expect(() => substituteVariables({ "{{ request.object.metadata.labels }}": 1 }, context)).toThrow('expected string after substituting variables in key "{{ request.object.metadata.labels }}"');
  });

  it("allowMissing: a missing variable becomes the empty string, other errors stay", () => {
    expect(substituteVariables("value {{ request.object.missing }}.", context, { allowMissing: true })).toBe("value .");
    expect(substituteVariables("{{ request.object.missing }}", context, { allowMissing: true })).toBe("");
    expect(() => substituteVariables("{{ request.object.metadata.name[ }}", context, { allowMissing: true })).toThrow(VariableError);
  });

  it("a bad expression is an 'invalid' VariableError", () => {
    expect(() => substituteVariables("{{ foo( }}", context)).toThrow(expect.objectContaining({ reason: "invalid", variable: "foo(" }));
    expect(() => substituteVariables("{{ lower('A') }}", context)).toThrow("incorrect query lower('A'): unknown function: lower()");
  });

  it("a failing function is a 'failed' VariableError", () => {
    expect(() => substituteVariables("{{ divide(`1`, `0`) }}", context)).toThrow(expect.objectContaining({ reason: "failed" }));
  });

  it("hasVariables", () => {
    expect(hasVariables("a {{ b }}")).toBe(true);
    expect(hasVariables("a \\{{ b }}")).toBe(false);
    expect(hasVariables("a { b }")).toBe(false);
  });

  it("does not modify its input", () => {
    const pattern = { a: ["{{ request.object.metadata.name }}"] };
    substituteVariables(pattern, context);
    expect(pattern).toEqual({ a: ["{{ request.object.metadata.name }}"] });
  });
});

describe("KyvernoContext (pkg/engine/context)", () => {
  it("holds request.object, operation, namespace, userInfo and the service account", () => {
    const context = new KyvernoContext({
      object: { kind: "ConfigMap", metadata: { name: "cm", namespace: "team-a" } },
      operation: "CREATE",
      userInfo: { username: "system:serviceaccount:kube-system:deployer", groups: ["system:serviceaccounts"] },
    });
    expect(context.data).toEqual({
      request: {
        object: { kind: "ConfigMap", metadata: { name: "cm", namespace: "team-a" } },
        namespace: "team-a",
        userInfo: { username: "system:serviceaccount:kube-system:deployer", groups: ["system:serviceaccounts"] },
        operation: "CREATE",
      },
      serviceAccountName: "deployer",
      serviceAccountNamespace: "kube-system",
    });
    expect(context.query("serviceAccountName")).toBe("deployer");
  });

  it.each<{ username: string; name: string; namespace: string }>([
    { username: "system:serviceaccount:ns:sa", name: "sa", namespace: "ns" },
    { username: "system:serviceaccount:", name: "", namespace: "" },
    { username: "alice", name: "", namespace: "" },
    { username: "system:serviceaccount:ns", name: "", namespace: "" },
  ])("AddServiceAccount($username)", ({ username, name, namespace }) => {
    const context = contextOf({}, { userInfo: { username } });
    expect([context.data.serviceAccountName, context.data.serviceAccountNamespace]).toEqual([name, namespace]);
  });

  it("UPDATE has both objects, DELETE only the old one", () => {
    const update = new KyvernoContext({ object: { a: 2 }, oldObject: { a: 1 }, operation: "UPDATE" });
    expect(update.query("[request.object.a, request.oldObject.a]")).toEqual([2, 1]);
    const del = new KyvernoContext({ object: { metadata: { namespace: "x" } }, operation: "DELETE" });
    expect(del.query("request.oldObject.metadata.namespace")).toBe("x");
    expect(() => del.query("request.object")).toThrow('Unknown key "object" in path');
    expect(del.operation).toBe("DELETE");
  });

  it("with() shadows an entry without touching the parent; withElement() sets element and elementIndex", () => {
    const parent = contextOf({}).with("obj", { notName: "not-example" });
    const child = parent.with("obj", { name: "example" });
    // test/context-entries value-override: the second entry replaces the first
    expect(child.query("obj.name")).toBe("example");
    expect(child.query("to_string(obj.notName)")).toBe("null");
    expect(parent.query("obj.notName")).toBe("not-example");
    const element = child.withElement({ name: "c1" }, 2, 1);
    expect(element.query("[element.name, element1.name, elementIndex, elementIndex1]")).toEqual(["c1", "c1", 2, 2]);
  });

  it("withVariable() merges CLI values with dotted keys (test/unordered-context-variables, test/variables)", () => {
    const context = contextOf({ metadata: { name: "p" } })
      .withVariable("varA.data.ValueOfB", "something")
      .withVariable("request.mode", "dev")
      .withVariable('"roles-dictionary".data.allowed-roles', '["app","test"]');
    expect(context.query("varA.data.ValueOfB")).toBe("something");
    expect(context.query("request.mode")).toBe("dev");
    expect(context.query("request.object.metadata.name")).toBe("p");
    expect(context.query('"roles-dictionary".data."allowed-roles"')).toBe('["app","test"]');
  });

  it("extra data merges in", () => {
    const context = contextOf({}, { extra: { request: { roles: ["admin"] }, custom: 1 } });
    expect(context.query("[request.roles, custom, request.operation]")).toEqual([["admin"], 1, "CREATE"]);
  });

  it("query() refuses an empty query and reports images that cannot be read only when images are asked for", () => {
    expect(() => contextOf({}).query("  ")).toThrow("invalid query (nil)");
    const bad = contextOf({ kind: "Pod", spec: { containers: [{ name: "c", image: "Bad:Image:Ref" }] } });
    expect(bad.query("request.object.kind")).toBe("Pod");
    expect(() => bad.query("images.containers.c.tag")).toThrow(JmespathError);
    expect(() => bad.query("images.containers.c.tag")).toThrow("invalid image 'Bad:Image:Ref'");
  });

  it("injects the clock of time_now()", () => {
    const context = contextOf({}, { now: () => new Date("2030-01-01T00:00:00Z") });
    expect(context.query("time_now_utc()")).toBe("2030-01-01T00:00:00Z");
  });
});

// pkg/utils/image/infos_test.go Test_GetImageInfo and Test_ReferenceAndReferenceWithTag, through the images map.
describe("imagesOf", () => {
  it.each<{ image: string; want: Record<string, unknown> }>([
    { image: "nginx", want: { registry: "docker.io", name: "nginx", path: "nginx", tag: "latest", reference: "docker.io/nginx:latest", referenceWithTag: "docker.io/nginx:latest" } },
    { image: "nginx:v10.3", want: { registry: "docker.io", name: "nginx", path: "nginx", tag: "v10.3", reference: "docker.io/nginx:v10.3" } },
    { image: "docker.io/test/nginx:v10.3", want: { registry: "docker.io", name: "nginx", path: "test/nginx", tag: "v10.3", reference: "docker.io/test/nginx:v10.3" } },
    { image: "test/nginx", want: { registry: "docker.io", name: "nginx", path: "test/nginx", tag: "latest", reference: "docker.io/test/nginx:latest" } },
    { image: "localhost:4443/test/nginx", want: { registry: "localhost:4443", name: "nginx", path: "test/nginx", tag: "latest", reference: "localhost:4443/test/nginx:latest" } },
    { image: "localhost/netd:v0.4.4-gke.0", want: { registry: "localhost", name: "netd", path: "netd", tag: "v0.4.4-gke.0" } },
    {
      image: "docker.io/test/centos@sha256:dead07b4d8ed7e29e98de0f4504d87e8880d4347859d839686a31da35a3b532f",
      want: {
        registry: "docker.io",
        name: "centos",
        path: "test/centos",
        digest: "sha256:dead07b4d8ed7e29e98de0f4504d87e8880d4347859d839686a31da35a3b532f",
        reference: "docker.io/test/centos@sha256:dead07b4d8ed7e29e98de0f4504d87e8880d4347859d839686a31da35a3b532f",
        referenceWithTag: "docker.io/test/centos:",
      },
    },
    {
      // test/images/digest: a tag and a digest
      image: "nginx:latest@sha256:859ab6768a6f26a79bc42b231664111317d095a4f04e4b6fe79ce37b3d199097",
      want: { tag: "latest", digest: "sha256:859ab6768a6f26a79bc42b231664111317d095a4f04e4b6fe79ce37b3d199097", reference: "docker.io/nginx@sha256:859ab6768a6f26a79bc42b231664111317d095a4f04e4b6fe79ce37b3d199097" },
    },
    { image: "ghcr.io/jimbugwadia/demo-java-tomcat:v0.0.15", want: { registry: "ghcr.io", name: "demo-java-tomcat", path: "jimbugwadia/demo-java-tomcat", tag: "v0.0.15" } },
  ])("$image", ({ image, want }) => {
    const images = imagesOf({ kind: "Pod", spec: { containers: [{ name: "c", image }] } });
    expect(images.containers!.c).toMatchObject({ ...want, jsonPointer: "/spec/containers/0/image" });
  });

  it("reads init, regular and ephemeral containers of Pods, controllers and CronJobs", () => {
    const podSpec = { initContainers: [{ name: "init", image: "busybox" }], containers: [{ name: "app", image: "nginx:1" }, { name: "sidecar", image: "envoy" }], ephemeralContainers: [{ name: "debug", image: "alpine" }] };
    expect(Object.keys(imagesOf({ kind: "Pod", spec: podSpec }))).toEqual(["initContainers", "containers", "ephemeralContainers"]);
    const deployment = imagesOf({ kind: "Deployment", spec: { template: { spec: podSpec } } });
    expect(deployment.containers!.app).toMatchObject({ tag: "1", jsonPointer: "/spec/template/spec/containers/0/image" });
    const cronJob = imagesOf({ kind: "CronJob", spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } });
    expect(cronJob.initContainers!.init!.jsonPointer).toBe("/spec/jobTemplate/spec/template/spec/initContainers/0/image");
    expect(imagesOf({ kind: "ConfigMap", data: {} })).toEqual({});
    expect(imagesOf({ kind: "Pod", spec: {} })).toEqual({});
    expect(imagesOf({ kind: "Pod", spec: { containers: [{ name: "no-image" }] } })).toEqual({});
  });

  it("refuses an invalid image and a container without a name", () => {
    expect(() => imagesOf({ kind: "Pod", spec: { containers: [{ name: "c", image: "++" }] } })).toThrow("invalid image '++'");
    expect(() => imagesOf({ kind: "Pod", spec: { containers: [{ image: "nginx" }] } })).toThrow("invalid key");
  });

  it("test/restrict-something and test-mutate/foreach: queries over images", () => {
    const context = contextOf({ kind: "Pod", spec: { containers: [{ name: "a", image: "gcr.io/x/y:1" }, { name: "b", image: "nginx" }] } });
    expect(context.query("images.containers.*.registry")).toEqual(["gcr.io", "docker.io"]);
    const element = context.withElement({ name: "a" }, 0);
    expect(substituteVariables('registry.example/{{ images.containers."{{element.name}}".name}}:{{images.containers."{{element.name}}".tag}}', element)).toBe("registry.example/y:1");
  });
});

describe("conformance: variables in policies", () => {
  it("test/nil-values-in-variables limit-duration: a missing field is an error, not null", () => {
    const certificate = contextOf({ apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "acme-crt" }, spec: { issuerRef: { name: "acme-prod" } } });
    expect(substituteVariables({ key: "{{ contains(request.object.spec.issuerRef.name, 'letsencrypt') }}" }, certificate)).toEqual({ key: false });
    expect(() => substituteVariables({ key: "{{ request.object.spec.duration }}" }, certificate, { path: "/preconditions/all/1" })).toThrow(
      expect.objectContaining({ reason: "not-found", path: "/preconditions/all/1/key" }),
    );
  });

  it("test/variables cm-multiple-example: || falls through an empty value", () => {
    const context = contextOf({}).withVariable("dictionary.data.env", "").withVariable("anotherdictionary.data.env", "test");
    expect(substituteVariables({ "my-environment-name": "{{dictionary.data.env || anotherdictionary.data.env }}" }, context)).toEqual({ "my-environment-name": "test" });
  });

  it("test/variables cm-array-example: a quoted context entry name and a list in a string", () => {
    const context = contextOf({ metadata: { annotations: { role: "web" } } }).with("roles-dictionary", { data: { "allowed-roles": '["app","test"]' } });
    expect(substituteVariables('The role {{ request.object.metadata.annotations.role }} is not in the allowed list of roles: {{ "roles-dictionary".data."allowed-roles" }}.', context)).toBe(
      'The role web is not in the allowed list of roles: ["app","test"].',
    );
  });

  it("test/jmespath-brackets: a variable inside a quoted function argument", () => {
    const context = contextOf({ kind: "Namespace", metadata: { name: "test-valid", labels: { aadobjectid: "51e5fe10-5325-4a32-9ce8-7ebe97087ebe" } } });
    const key = "{{regex_match('^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-4[a-fA-F0-9]{3}-[8|9|aA|bB][a-fA-F0-9]{3}-[a-fA-F0-9]{12}$', '{{request.object.metadata.labels.aadobjectid}}')}}";
    expect(substituteVariables(key, context)).toBe(true);
  });

  it("test/update: || with a literal object", () => {
    const context = new KyvernoContext({ object: { metadata: {} }, oldObject: { metadata: { labels: { a: "b" } } }, operation: "UPDATE" });
    expect(substituteVariables(["{{ request.object.metadata.labels || `{}` }}", "{{ request.oldObject.metadata.labels || `{}` }}"], context)).toEqual([{}, { a: "b" }]);
  });
});

// test/context-entries of the CLI conformance suite, and pkg/engine/context/loaders/variable.go.
describe("evaluateVariableEntry", () => {
  const context = contextOf({ apiVersion: "v1", kind: "Pod", metadata: { name: "example" }, spec: { containers: [] } });
  it.each<{ name: string; variable: Parameters<typeof evaluateVariableEntry>[1]; want: unknown; ctx?: KyvernoContext }>([
    { name: "defined-value", variable: { value: { test: { nested: { value: 1 } } } }, want: { test: { nested: { value: 1 } } } },
    { name: "defined-jmespath", variable: { jmesPath: "request.object.metadata.name" }, want: "example" },
    { name: "defined-jmespath-with-default", variable: { default: "example", jmesPath: "request.object.metadata.generateName" }, want: "example" },
    { name: "defined-value-with-variable", variable: { value: { name: "{{ request.object.metadata.name }}" } }, want: { name: "example" } },
    { name: "defined-jmespath-with-default-variable", variable: { default: "{{ request.object.metadata.name }}", jmesPath: "request.object.metadata.generateName" }, want: "example" },
    { name: "defined-value-jmespath", variable: { jmesPath: "name", value: { name: "{{ request.object.metadata.name }}" } }, want: "example" },
    { name: "defined-value-jmespath-variable", variable: { jmesPath: "{{ jpExpression }}", value: { name: "{{ request.object.metadata.name }}" } }, want: "example", ctx: context.with("jpExpression", "name") },
    { name: "items", variable: { jmesPath: "items(@, 'key', 'value')", value: { a: 1, b: 2 } }, want: [{ key: "a", value: 1 }, { key: "b", value: 2 }] },
    { name: "wildcard-match list", variable: { value: ["A=ATest", "B=BTest"] }, want: ["A=ATest", "B=BTest"] },
    { name: "unordered-context-variables: an entry read from a CLI value", variable: { jmesPath: "varA.data.ValueOfB" }, want: "something", ctx: context.withVariable("varA.data.ValueOfB", "something") },
  ])("$name", ({ variable, want, ctx }) => {
    expect(evaluateVariableEntry("entry", variable, ctx ?? context)).toEqual(want);
  });

  it.each<{ name: string; variable: Parameters<typeof evaluateVariableEntry>[1]; message: string }>([
    { name: "a missing path without a default", variable: { jmesPath: "request.object.metadata.generateName" }, message: "failed to apply jmespath request.object.metadata.generateName" },
    { name: "a null result", variable: { jmesPath: "request.object.spec.nothing || `null`" }, message: "failed to add context entry for variable entry since it evaluated to nil" },
    { name: "a jmesPath that substitutes to a non-string", variable: { jmesPath: "{{ request.object.spec }}" }, message: "jmespath value must be a string" },
  ])("$name fails", ({ variable, message }) => {
    expect(() => evaluateVariableEntry("entry", variable, context)).toThrow(message);
  });
});

describe("substitution that would not end", () => {
  it("a value that brings itself back is refused instead of recursing forever", () => {
    const context = contextOf({}).with("a", { k: "{{ a }}" });
    expect(() => substituteVariables("{{ a }}", context)).toThrow("keep bringing variables");
  });

  it("a string that grows a variable on each pass is refused instead of looping", () => {
    const context = contextOf({}).with("a", "{{ a }}y");
    expect(() => substituteVariables("x{{ a }}", context)).toThrow("more than 1000 passes");
  });
});
