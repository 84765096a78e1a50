// Kyverno's own CLI test suites (../shared/conformance/kyverno-cli, each folder a kyverno-test.yaml with policies,
// resources, values, exceptions and the expected result per policy, rule and resource) run through our engine.
// Prints passed / total per category. ../shared exists on our machines and in CI, not in a user's clone: skipped
// without it.
//
// Out of scope, with the reason (OUT_OF_SCOPE): what changes objects (mutate, generate, cleanup, deleting policies)
// — the verifier checks what is in Git, it does not rewrite it; what needs a cluster or the network (API calls,
// global context, image registries, HTTP, Envoy); JSON payloads (kyverno-json, not Kubernetes objects).
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateKyvernoValidatingPolicy, isKyvernoValidatingPolicy } from "../../src/policy/cel/kyverno-validating-policy.ts";
import { evaluateKyvernoPolicy, policyName, type RuleResult } from "../../src/policy/kyverno/engine.ts";
import { SHARED } from "../helpers/repo.ts";

const ROOT = path.join(SHARED, "conformance", "kyverno-cli");

const OUT_OF_SCOPE: Record<string, string> = {
  "test-mutate": "mutate rules change objects: the verifier checks what Git holds",
  "test-mutating-policy": "mutating policies change objects",
  "test-mutating-admission-policy": "mutating admission policies change objects",
  "test-generate": "generate rules create objects in the cluster",
  "test-generating-policy": "generating policies create objects in the cluster",
  "test-cleanup-policy": "cleanup policies delete objects in the cluster",
  "test-deleting-policy": "deleting policies delete objects in the cluster",
  "test-context-apicall": "API calls need a cluster",
  "test-context-apicall-dpol": "API calls need a cluster",
  "test-context-apicall-gpol": "API calls need a cluster",
  "test-context-apicall-mpol": "API calls need a cluster",
  "test-context-apicall-vpol": "API calls need a cluster",
  "test-context-configmap-dpol": "deleting policies delete objects in the cluster",
  "test-context-configmap-gpol": "generating policies create objects in the cluster",
  "test-context-configmap-mpol": "mutating policies change objects",
  "test-image-validating-policy": "image verification needs registries",
  registry: "image verification needs registries",
  "test-fail": "these suites expect the CLI itself to fail (a missing policy, resource or rule)",
};

/** Test folders (below a category) out of scope, with the reason. */
const OUT_OF_SCOPE_FOLDERS: Record<string, string> = {
  "test/cel-http-get-mock": "HTTP calls from CEL",
  "test/cel-http-post-mock": "HTTP calls from CEL",
  "test/cel-http-post-mock-deny": "HTTP calls from CEL",
  "test/globalcontext": "global context entries need a cluster",
  "test/mock-global-context": "global context entries need a cluster",
  "test/mock-apicall-responses": "API calls need a cluster",
  "test/mock-gce-inline-resource": "API calls need a cluster",
  "test/mock-gce-resource-files": "API calls need a cluster",
  "test/wildcard_mutate": "mutate rules change objects",
  "test/mutate-keda-scaled-object": "mutate rules change objects",
  "test/images/secure-images": "image signature verification needs registries",
  "test/images/signatures": "image signature verification needs registries",
  "test/images/verify-signature": "image signature verification needs registries",
  "test/images/digest": "verifyImages rules need registries",
  "test/manifests/verify-signature": "manifest signature verification (sigstore)",
  "test/exec-subresource": "an exec request (pods/exec subresource) never comes from Git",
  "test/scale-subresource": "a scale request (Scale subresource) never comes from Git",
  "test/limit-configmap-for-sa": "a request by a given service account: Git has no requesting user",
};

interface Expected {
  policy: string;
  rule?: string;
  resources?: string[];
  resource?: string;
  kind?: string;
  result: string;
  /** the request's operation for this result (CREATE when absent) */
  operation?: string;
  isValidatingAdmissionPolicy?: boolean;
  isValidatingPolicy?: boolean;
  isMutatingPolicy?: boolean;
  isGeneratingPolicy?: boolean;
  isImageValidatingPolicy?: boolean;
  isDeletingPolicy?: boolean;
  patchedResources?: string;
  generatedResource?: string;
  cloneSourceResource?: string;
}

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...findTests(full));
    else if (entry === "kyverno-test.yaml") found.push(full);
  }
  return found.sort();
}

function readDocuments(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  const stat = statSync(file);
  const files = stat.isDirectory() ? readdirSync(file).filter((name) => /\.ya?ml$/.test(name)).map((name) => path.join(file, name)) : [file];
  return files.flatMap((one) =>
    parseAllDocuments(readFileSync(one, "utf8"))
      .map((document) => document.toJS() as unknown)
      .filter((value): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value)),
  ).flatMap((value) =>
    value.kind === "List" && Array.isArray(value.items)
      ? (value.items as Record<string, unknown>[])
      : value.kind === "ClusterResource" && Array.isArray(record(value.spec).resources)
        ? (record(value.spec).resources as Record<string, unknown>[])
        : [value],
  );
}

const record = (value: unknown): Record<string, unknown> => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/**
 * In-scope results that do not match yet, by "folder policy rule resource", each with the reason: a ratchet — a
 * new mismatch fails the test, and one that starts matching must be taken off this list.
 */
const KNOWN_MISMATCHES = new Map<string, string>([]);

const tests = existsSync(ROOT) ? findTests(ROOT) : [];

describe.skipIf(tests.length === 0)("Kyverno CLI conformance (skipped when ../shared/conformance is absent)", () => {
  const figures = new Map<string, { passed: number; total: number; outOfScope: number }>();
  const mismatches: string[] = [];
  const nowMatching: string[] = [];
  afterAll(() => {
    let passed = 0;
    let total = 0;
    let outOfScope = 0;
    const lines = [...figures.entries()].sort().map(([category, figure]) => {
      passed += figure.passed;
      total += figure.total;
      outOfScope += figure.outOfScope;
      return `  ${category}: ${figure.passed} / ${figure.total}${figure.outOfScope ? ` (${figure.outOfScope} out of scope)` : ""}`;
    });
    console.log(`Kyverno conformance: ${passed} / ${total} in-scope results match (${outOfScope} out of scope)\n${lines.join("\n")}`);
    if (mismatches.length) console.log(`mismatches:\n${mismatches.slice(0, 200).join("\n")}`);
  });

  it.each(tests.map((file) => path.relative(ROOT, path.dirname(file))))("%s", (folder) => {
    const dir = path.join(ROOT, folder);
    const category = folder.split("/")[0]!;
    const figure = figures.get(category) ?? { passed: 0, total: 0, outOfScope: 0 };
    figures.set(category, figure);
    const test = record(parseAllDocuments(readFileSync(path.join(dir, "kyverno-test.yaml"), "utf8"))[0]?.toJS());
    const expected = (test.results as Expected[] | undefined) ?? [];
    const skipReason = OUT_OF_SCOPE[category] ?? OUT_OF_SCOPE_FOLDERS[folder];
    const outOfScope = (entry: Expected) =>
      skipReason ??
      (entry.isMutatingPolicy || entry.patchedResources ? "mutation" : undefined) ??
      (entry.isGeneratingPolicy || entry.generatedResource || entry.cloneSourceResource ? "generation" : undefined) ??
      (entry.isImageValidatingPolicy ? "image verification" : undefined) ??
      (entry.isDeletingPolicy ? "deletion" : undefined) ??
      (entry.isValidatingAdmissionPolicy || entry.isValidatingPolicy ? "CEL policies: run by cel-vap.test.ts" : undefined) ??
      (test.jsonPayloads || test.envoyPayloads || test.httpPayloads ? "JSON payloads" : undefined);

    const policies = list(test.policies).flatMap((file) => readDocuments(path.join(dir, String(file))));
    const resources = list(test.resources).flatMap((file) => readDocuments(path.join(dir, String(file))));
    const exceptions = list(test.exceptions).flatMap((file) => readDocuments(path.join(dir, String(file))));
    const values = test.variables ? record(readDocuments(path.join(dir, String(test.variables)))[0]) : {};
    const userInfoFile = test.userinfo ? record(readDocuments(path.join(dir, String(test.userinfo)))[0]) : undefined;
    const userInfo = userInfoFile
      ? {
          ...(record(userInfoFile.userInfo).username ? { username: String(record(userInfoFile.userInfo).username) } : {}),
          groups: list(record(userInfoFile.userInfo).groups).map(String),
          roles: list(userInfoFile.roles).map(String),
          clusterRoles: list(userInfoFile.clusterRoles).map(String),
        }
      : undefined;
    // ConfigMaps among the resources answer configMap context entries, as the CLI's cluster stand-in does
    const clusterResources = list(test.clusterResources).flatMap((file) => readDocuments(path.join(dir, String(file))));
    const configMap = (namespace: string, name: string) =>
      [...resources, ...clusterResources].find((candidate) => candidate.kind === "ConfigMap" && record(candidate.metadata).name === name && String(record(candidate.metadata).namespace ?? "default") === namespace);
    const namespaceLabels = new Map(list(values.namespaceSelector).map((entry) => [String(record(entry).name), record(record(entry).labels) as Record<string, string>]));
    const ruleValues = (policy: string, rule: string) => {
      const p = list(values.policies).map(record).find((candidate) => candidate.name === policy);
      const r = list(p?.rules).map(record).find((candidate) => candidate.name === rule);
      return r ? record(r.values) : undefined;
    };
    const foreachValues = (policy: string, rule: string) => {
      const p = list(values.policies).map(record).find((candidate) => candidate.name === policy);
      const r = list(p?.rules).map(record).find((candidate) => candidate.name === rule);
      return r?.foreachValues ? (record(r.foreachValues) as Record<string, unknown[]>) : undefined;
    };
    const resourceValues = (policy: string, resource: string) => {
      const p = list(values.policies).map(record).find((candidate) => candidate.name === policy);
      const r = list(p?.resources).map(record).find((candidate) => candidate.name === resource);
      return r ? record(r.values) : undefined;
    };

    const cache = new Map<string, RuleResult[]>();
    for (const entry of expected) {
      const names = entry.resources ?? (entry.resource ? [entry.resource] : []);
      for (const resourceName of names) {
        const reason = outOfScope(entry);
        if (reason) {
          figure.outOfScope++;
          continue;
        }
        figure.total++;
        const policy = policies.find((candidate) => policyName(candidate) === entry.policy || record(candidate.metadata).name === entry.policy);
        const [namespace, name] = resourceName.includes("/") ? resourceName.split("/", 2) : [undefined, resourceName];
        const resource = resources.find((candidate) => {
          const metadata = record(candidate.metadata);
          return metadata.name === name && (!entry.kind || candidate.kind === entry.kind) && (namespace === undefined || (metadata.namespace ?? "default") === namespace);
        });
        const key = `${folder} ${entry.policy} ${entry.rule ?? ""} ${resourceName}`;
        let actual = "no result";
        if (policy && resource) {
          const cacheKey = `${entry.policy}#${resourceName}#${entry.kind ?? ""}#${entry.operation ?? ""}`;
          let results = cache.get(cacheKey);
          if (!results && isKyvernoValidatingPolicy(policy)) {
            // a ValidatingPolicy (CEL) without the isValidatingPolicy flag: the CLI runs it all the same
            const outcome = evaluateKyvernoValidatingPolicy(policy, { object: resource, operation: "CREATE", objects: [...resources, ...clusterResources], namespace: "default" });
            results = [{ policy: outcome.policy, rule: entry.rule ?? "", status: outcome.result, message: outcome.messages.join("; ") }];
            cache.set(cacheKey, results);
          }
          if (!results) {
            const resourceNamespace = String(record(resource.metadata).namespace ?? "");
            const perResource = resourceValues(entry.policy, String(record(resource.metadata).name)) ?? {};
            const operation = String(entry.operation ?? perResource["request.operation"] ?? record(values.globalValues)["request.operation"] ?? "CREATE") as "CREATE";
            results = evaluateKyvernoPolicy(
              policy,
              { object: resource, operation, ...(namespaceLabels.has(resourceNamespace) ? { namespaceLabels: namespaceLabels.get(resourceNamespace)! } : {}), ...(userInfo ? { userInfo } : {}) },
              { exceptions, globalValues: record(values.globalValues), ruleValues, foreachValues, resourceValues: perResource, configMap },
            );
            cache.set(cacheKey, results);
          }
          // the CLI reports a Pod rule's autogen results under the rule's own name too
          const match = results.find((result) => !entry.rule || result.rule === entry.rule) ?? results.find((result) => result.rule === `autogen-${entry.rule}` || result.rule === `autogen-cronjob-${entry.rule}`);
          actual = match ? match.status : "no result";
        } else actual = policy ? "resource not found" : "policy not found";
        // a rule that does not apply gives no result; the CLI reports it as skip
        const same = actual === entry.result || (actual === "no result" && entry.result === "skip");
        if (same) {
          figure.passed++;
          if (KNOWN_MISMATCHES.has(key)) nowMatching.push(key);
        } else if (!KNOWN_MISMATCHES.has(key)) mismatches.push(`${key}: expected ${entry.result}, got ${actual}${process.env.GV_DEBUG ? ` (${cache.get(`${entry.policy}#${resourceName}#${entry.kind ?? ""}#${entry.operation ?? ""}`)?.map((r) => `${r.rule}: ${r.status} ${r.message}`).join(" | ") ?? ""})` : ""}`);
      }
    }
    expect(mismatches.filter((line) => line.startsWith(`${folder} `)), "new mismatches").toEqual([]);
    expect(nowMatching.filter((line) => line.startsWith(`${folder} `)), "take these off KNOWN_MISMATCHES").toEqual([]);
  });
});

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}
