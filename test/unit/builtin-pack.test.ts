// The built-in policy pack (policies/builtin): every check is one Kyverno ClusterPolicy carrying the annotations the
// reports need (ID, severity, title, category, rationale, fix), and every check has a pass and a fail fixture whose
// results, rule by rule and object by object, are written down in expected.yaml and must come out of the engine.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import type { Manifest } from "../../src/model.ts";
import { listFromEnvironment } from "../../src/policy/evaluate.ts";
import { evaluateKyvernoPolicy } from "../../src/policy/kyverno/engine.ts";

const PACK = path.resolve(import.meta.dirname, "../../policies/builtin");
const FIXTURES = path.join(PACK, "fixtures");
const ID = /^GV-[A-Z]+-\d{3}$/;
const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SEVERITIES = ["error", "warning", "notice"];
const POD_CONTROLLERS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"];
const FIXTURE_FILES = ["pass", "fail"] as const;

type Obj = Record<string, unknown>;
const rec = (value: unknown): Obj => (value && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : {});
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

interface Expected {
  resource: string;
  rule?: string;
  result: string;
}

function documents(file: string): Obj[] {
  return parseAllDocuments(readFileSync(file, "utf8")).map((document) => {
    if (document.errors.length) throw new Error(`${file}: ${document.errors[0]!.message}`);
    return rec(document.toJS());
  }).filter((object) => Object.keys(object).length > 0);
}

const policyFiles = readdirSync(PACK)
  .filter((name) => name.endsWith(".yaml"))
  .sort();
const policies = policyFiles.map((file) => {
  const [policy, ...rest] = documents(path.join(PACK, file));
  return { file, policy: policy ?? {}, extra: rest.length };
});
const annotationsOf = (policy: Obj) => rec(rec(policy.metadata).annotations);
const idOf = (policy: Obj) => String(annotationsOf(policy)["gitops-verify.io/id"] ?? "");
const resourceOf = (object: Obj) => `${String(object.kind)}/${String(rec(object.metadata).name)}`;
const rulesOf = (policy: Obj) => arr(rec(policy.spec).rules).map(rec);
const matchedKinds = (rule: Obj) => {
  const match = rec(rule.match);
  return [rec(match.resources), ...arr(match.any).map((filter) => rec(rec(filter).resources)), ...arr(match.all).map((filter) => rec(rec(filter).resources))].flatMap((resources) => arr(resources.kinds).map(String));
};

function expectedOf(id: string): Record<(typeof FIXTURE_FILES)[number], Expected[]> {
  const parsed = rec(documents(path.join(FIXTURES, id, "expected.yaml"))[0]);
  return { pass: arr(parsed.pass).map((entry) => rec(entry) as unknown as Expected), fail: arr(parsed.fail).map((entry) => rec(entry) as unknown as Expected) };
}

const line = (entry: Expected) => `${entry.resource} ${entry.rule ?? "(no rule applies)"}: ${entry.result}`;

describe("built-in pack: policy metadata", () => {
  it("has at least 28 checks, one ClusterPolicy per file", () => {
    expect(policies.length).toBeGreaterThanOrEqual(28);
    for (const { file, extra } of policies) expect(extra, `${file} holds more than one document`).toBe(0);
  });

  it.each(policies)("$file: a ClusterPolicy with the annotations of a check", ({ file, policy }) => {
    expect(policy.apiVersion).toBe("kyverno.io/v1");
    expect(policy.kind).toBe("ClusterPolicy");
    const name = String(rec(policy.metadata).name ?? "");
    expect(name, "metadata.name in kebab case").toMatch(KEBAB);
    const annotations = annotationsOf(policy);
    const id = idOf(policy);
    expect(id).toMatch(ID);
    expect(file, "the file is named after the ID").toBe(`${id}.yaml`);
    expect(SEVERITIES).toContain(annotations["gitops-verify.io/severity"]);
    for (const key of ["policies.kyverno.io/title", "policies.kyverno.io/category", "policies.kyverno.io/description", "gitops-verify.io/fix"]) {
      const value = annotations[key];
      expect(typeof value === "string" && value.trim().length > 0, `${key} is set`).toBe(true);
    }
    const spec = rec(policy.spec);
    expect(spec.validationFailureAction).toBe("Audit");
    expect(spec.background).toBe(true);
    const rules = rulesOf(policy);
    expect(rules.length).toBeGreaterThan(0);
    expect(new Set(rules.map((rule) => rule.name)).size, "rule names are unique").toBe(rules.length);
    for (const rule of rules) {
      expect(String(rule.name)).toMatch(KEBAB);
      const validate = rec(rule.validate);
      expect(["pattern", "anyPattern", "deny", "foreach"].some((key) => validate[key] !== undefined), `rule ${String(rule.name)} validates with pattern, anyPattern, deny or foreach`).toBe(true);
      expect(typeof validate.message === "string" && validate.message.length > 0, `rule ${String(rule.name)} has a message`).toBe(true);
    }
  });

  it("IDs and names are unique", () => {
    const ids = policies.map(({ policy }) => idOf(policy));
    const names = policies.map(({ policy }) => String(rec(policy.metadata).name));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(names).size).toBe(names.length);
  });

  it("every check has pass, fail and expected fixtures, and every fixture folder a check", () => {
    const ids = policies.map(({ policy }) => idOf(policy)).sort();
    const folders = readdirSync(FIXTURES).filter((name) => statSync(path.join(FIXTURES, name)).isDirectory()).sort();
    expect(folders).toEqual(ids);
    for (const id of ids) expect(readdirSync(path.join(FIXTURES, id)).sort()).toEqual(["expected.yaml", "fail.yaml", "pass.yaml"]);
  });

  it.each(policies)("$file: expected.yaml lists every object of both fixtures, which pass and fail as their names say", ({ policy }) => {
    const id = idOf(policy);
    const expected = expectedOf(id);
    const ruleNames = new Set(rulesOf(policy).flatMap((rule) => [String(rule.name), `autogen-${String(rule.name)}`, `autogen-cronjob-${String(rule.name)}`]));
    for (const which of FIXTURE_FILES) {
      const objects = documents(path.join(FIXTURES, id, `${which}.yaml`));
      expect(objects.length, `${which}.yaml has objects`).toBeGreaterThan(0);
      const resources = objects.map(resourceOf);
      expect(new Set(resources).size, `${which}.yaml: Kind/name is unique`).toBe(resources.length);
      const listed = new Set(expected[which].map((entry) => entry.resource));
      expect([...listed].sort(), `${which}: expected.yaml lists exactly the objects of ${which}.yaml`).toEqual([...resources].sort());
      for (const entry of expected[which]) {
        expect(["pass", "fail", "skip"]).toContain(entry.result);
        if (entry.rule !== undefined) expect(ruleNames.has(entry.rule), `${line(entry)}: a rule of the policy`).toBe(true);
        else expect(entry.result, `${line(entry)}: an object no rule applies to is a skip`).toBe("skip");
      }
    }
    expect(expected.pass.filter((entry) => entry.result === "fail").map(line), "nothing fails in pass.yaml").toEqual([]);
    expect(expected.fail.some((entry) => entry.result === "fail"), "something fails in fail.yaml").toBe(true);
  });

  it.each(policies.filter(({ policy }) => rulesOf(policy).some((rule) => matchedKinds(rule).length === 1 && matchedKinds(rule)[0] === "Pod")))(
    "$file: a Pod rule is exercised on a Pod and on a Pod controller (autogen)",
    ({ policy }) => {
      const id = idOf(policy);
      const kinds = FIXTURE_FILES.flatMap((which) => documents(path.join(FIXTURES, id, `${which}.yaml`)).map((object) => String(object.kind)));
      expect(kinds).toContain("Pod");
      expect(kinds.some((kind) => POD_CONTROLLERS.includes(kind))).toBe(true);
      expect(FIXTURE_FILES.flatMap((which) => expectedOf(id)[which]).some((entry) => entry.rule?.startsWith("autogen-"))).toBe(true);
    },
  );

  it("the README's table lists every check with its name and severity", () => {
    const readme = readFileSync(path.join(PACK, "README.md"), "utf8");
    const rows = new Map<string, string[]>();
    for (const row of readme.split("\n").filter((text) => /^\|\s*`?GV-/.test(text))) {
      const cells = row.split("|").slice(1, -1).map((cell) => cell.trim().replace(/^`|`$/g, ""));
      rows.set(cells[0]!, cells);
    }
    expect([...rows.keys()].sort()).toEqual(policies.map(({ policy }) => idOf(policy)).sort());
    for (const { policy } of policies) {
      const cells = rows.get(idOf(policy))!;
      expect(cells[1], `${idOf(policy)}: name`).toBe(String(rec(policy.metadata).name));
      expect(cells[2], `${idOf(policy)}: severity`).toBe(annotationsOf(policy)["gitops-verify.io/severity"]);
    }
  });
});

/** The fixture's objects as the rendered objects of one environment (for apiCall context entries). */
function asManifests(objects: Obj[]): Manifest[] {
  return objects.map((object, index) => {
    const apiVersion = String(object.apiVersion ?? "");
    const slash = apiVersion.indexOf("/");
    const metadata = rec(object.metadata);
    return {
      object: object as Manifest["object"],
      id: {
        group: slash < 0 ? "" : apiVersion.slice(0, slash),
        version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
        kind: String(object.kind ?? ""),
        namespace: String(metadata.namespace ?? ""),
        name: String(metadata.name ?? ""),
      },
      rendered: { index, line: 1 },
    };
  });
}

describe("built-in pack: fixtures evaluated by the Kyverno engine", () => {
  const cases = policies.flatMap(({ policy }) => FIXTURE_FILES.map((which) => ({ fixture: `${idOf(policy)}/${which}.yaml`, which, policy })));
  it.each(cases)("$fixture gives the results of expected.yaml", ({ policy, which }) => {
    const id = idOf(policy);
    const objects = documents(path.join(FIXTURES, id, `${which}.yaml`));
    const manifests = asManifests(objects);
    const details: string[] = [];
    const actual = objects.flatMap((object): Expected[] => {
      const resource = resourceOf(object);
      const results = evaluateKyvernoPolicy(policy, { object, operation: "CREATE" }, { apiCall: (urlPath) => listFromEnvironment(urlPath, manifests) });
      if (!results.length) return [{ resource, result: "skip" }];
      return results.map((result) => {
        details.push(`${resource} ${result.rule}: ${result.status}${result.notEvaluated ? " (not evaluated)" : ""} - ${result.message}`);
        // a rule the engine could not evaluate is never counted as a skip the fixture expects
        return { resource, rule: result.rule, result: result.notEvaluated ? "not-evaluated" : result.status };
      });
    });
    expect(actual.map(line).sort(), details.join("\n")).toEqual(expectedOf(id)[which].map(line).sort());
  });
});
