// Flux ImagePolicies and ImageRepositories read from the repository: what a setter stands for, and its tags.
import { describe, expect, it } from "vitest";
import { fluxImagePolicies } from "../../src/promote/flux-policies.ts";
import { parseImageRef } from "../../src/promote/image-ref.ts";
import { planPromotion } from "../../src/promote/plan.ts";
import { latestTag } from "../../src/promote/tag-policy.ts";

const automation = `apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  image: ghcr.io/stefanprodan/podinfo
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImagePolicy
metadata:
  name: podinfo
  namespace: flux-system
spec:
  imageRepositoryRef:
    name: podinfo
  policy:
    semver:
      range: ">=6.5.0 <7.0.0"
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImagePolicy
metadata:
  name: podinfo-main
  namespace: flux-system
spec:
  imageRepositoryRef:
    name: podinfo
  filterTags:
    pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)'
    extract: '$ts'
  policy:
    numerical:
      order: asc
`;

describe("fluxImagePolicies", () => {
  it("reads policies with their image and tag policy", () => {
    const policies = fluxImagePolicies([{ path: "clusters/prod/automation.yaml", text: automation }]);
    expect([...policies.values()]).toEqual([
      { name: "flux-system:podinfo", repository: "ghcr.io/stefanprodan/podinfo", policy: { type: "semver", range: ">=6.5.0 <7.0.0" }, file: "clusters/prod/automation.yaml", line: 9 },
      {
        name: "flux-system:podinfo-main",
        repository: "ghcr.io/stefanprodan/podinfo",
        policy: { type: "regex", pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)", extract: "$ts", order: "numerical" },
        file: "clusters/prod/automation.yaml",
        line: 21,
      },
    ]);
    expect(latestTag(policies.get("flux-system:podinfo-main")!.policy!, ["main-abc-100", "main-def-99", "dev-aaa-500"])).toBe("main-abc-100");
  });

  it("match a :tag setter with no name beside it, and refuse a tag its ImagePolicy does not select", async () => {
    const imagePolicies = fluxImagePolicies([{ path: "clusters/prod/automation.yaml", text: automation }]);
    const files = [{ path: "env/values.yaml", text: 'podinfo:\n  version: 6.5.0 # {"$imagepolicy": "flux-system:podinfo:tag"}\n' }];
    const plan = await planPromotion({ environment: "env", dir: "env", files, imagePolicies }, [parseImageRef("ghcr.io/stefanprodan/podinfo:6.6.1")]);
    expect(plan.changes[0]!.after).toBe('podinfo:\n  version: 6.6.1 # {"$imagepolicy": "flux-system:podinfo:tag"}\n');
    await expect(planPromotion({ environment: "env", dir: "env", files, imagePolicies }, [parseImageRef("ghcr.io/stefanprodan/podinfo:7.0.0")])).rejects.toThrow(
      'the ImagePolicy flux-system:podinfo (clusters/prod/automation.yaml:9) selects the semver range ">=6.5.0 <7.0.0" for ghcr.io/stefanprodan/podinfo; "7.0.0" is not accepted',
    );
  });

  it("a semver policy with a filter takes the version from the extracted part", () => {
    expect(latestTag({ type: "semver", range: "^1.0.0", filter: { pattern: "^release-(?P<v>.*)$", extract: "$v" } }, ["release-1.2.0", "release-1.10.0", "1.99.0"])).toBe("release-1.10.0");
  });

  it("descending order: the lowest is the latest", () => {
    expect(latestTag({ type: "regex", pattern: "^(\\d+)$", order: "numerical", descending: true }, ["3", "1", "2"])).toBe("1");
  });
});
