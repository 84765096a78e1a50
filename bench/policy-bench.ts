// Policy evaluation throughput: the built-in pack plus 50 Kyverno ClusterPolicies over 5,000 objects, evaluated as
// verify evaluates an environment (`evaluatePolicies`), medians of several runs in one process. There is no baseline
// to run here (no kyverno binary can be installed), so the figure is absolute: evaluations (policy × object) and
// objects per second.
//
//   node --import tsx bench/policy-bench.ts [--objects 5000] [--policies 50] [--runs 5]
import os from "node:os";
import { parseArgs } from "node:util";
import { parseManifests } from "../src/render/manifests.ts";
import { builtinPolicySet } from "../src/policy/builtin-pack.ts";
import { evaluatePolicies, withPolicies } from "../src/policy/evaluate.ts";
import { resourceText } from "./manifests.ts";

const { values } = parseArgs({ options: { objects: { type: "string", default: "5000" }, policies: { type: "string", default: "50" }, runs: { type: "string", default: "5" } } });
const objectCount = Number(values.objects);
const policyCount = Number(values.policies);
const runs = Number(values.runs);

/** 50 policies of the kinds teams write: patterns with anchors, deny conditions with JMESPath, foreach. */
function kyvernoPolicy(i: number): Record<string, unknown> {
  const match = (kinds: string[]) => ({ any: [{ resources: { kinds } }] });
  const kinds = [["Pod"], ["Service"], ["ConfigMap"], ["Ingress"], ["PodDisruptionBudget"]][i % 5]!;
  const rules: Array<Record<string, unknown>> = [];
  switch (i % 5) {
    case 0:
      rules.push({
        name: `containers-${i}`,
        match: match(kinds),
        validate: {
          message: "every container must set resources and a pinned image",
          foreach: [{ list: "request.object.spec.containers", deny: { conditions: { any: [{ key: "{{ element.image }}", operator: "Equals", value: `*:latest-${i}` }, { key: "{{ element.resources.requests.cpu || '' }}", operator: "Equals", value: "" }] } } }],
        },
      });
      break;
    case 1:
      rules.push({ name: `service-${i}`, match: match(kinds), validate: { message: "no NodePort", pattern: { spec: { "=(type)": `!NodePort${i}` } } } });
      break;
    case 2:
      rules.push({ name: `labels-${i}`, match: match(kinds), exclude: { any: [{ resources: { namespaces: [`kube-${i}`] } }] }, validate: { message: "team label", deny: { conditions: { all: [{ key: "{{ request.object.metadata.labels.team || '' }}", operator: "Equals", value: `nobody-${i}` }] } } } });
      break;
    case 3:
      rules.push({ name: `ingress-${i}`, match: match(kinds), preconditions: { all: [{ key: "{{ request.operation }}", operator: "NotEquals", value: "DELETE" }] }, validate: { message: "tls", pattern: { spec: { "(tls)": [{ hosts: ["?*"] }] } } } });
      break;
    default:
      rules.push({ name: `pdb-${i}`, match: match(kinds), validate: { message: "minAvailable or maxUnavailable", anyPattern: [{ spec: { minAvailable: `>=0` } }, { spec: { maxUnavailable: `>=0` } }] } });
  }
  return { apiVersion: "kyverno.io/v1", kind: "ClusterPolicy", metadata: { name: `bench-${i}` }, spec: { validationFailureAction: "Audit", rules } };
}

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const manifests = parseManifests(Array.from({ length: objectCount }, (_, i) => resourceText(i)).join("---\n"), "bench");
const pack = builtinPolicySet();
const set = withPolicies(pack, Array.from({ length: policyCount }, (_, i) => ({ object: kyvernoPolicy(i), origin: { file: `bench/policy-${i}.yaml` } })));
const policies = set.kyverno.length + set.vaps.length + set.validatingPolicies.length;
evaluatePolicies(manifests.slice(0, 50), set); // warm-up: JIT, compiled expressions
const seconds: number[] = [];
let findings = 0;
for (let run = 0; run < runs; run++) {
  const started = performance.now();
  findings = evaluatePolicies(manifests, set).length;
  seconds.push((performance.now() - started) / 1000);
}
const time = median(seconds);
console.log(`policy-bench: ${objectCount} objects × ${policies} policies (built-in pack ${pack.kyverno.length} + ${policyCount} Kyverno), ${runs} runs, median, ${os.cpus().length} cores, node ${process.version}`);
console.log(`  ${time.toFixed(2)} s → ${Math.round((objectCount * policies) / time)} evaluations (policy × object) per second, ${Math.round(objectCount / time)} objects per second; ${findings} findings`);
