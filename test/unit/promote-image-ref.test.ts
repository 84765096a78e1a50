// Image references parsed and normalised as Docker does, and the tag policies of promotion.
import { describe, expect, it } from "vitest";
import { canonicalImageRef, formatImageRef, parseImageRef, pinnedTag, repositoryOf, sameRepository, splitPinnedTag, tryParseImageRef } from "../../src/promote/image-ref.ts";
import { acceptsTag, checkPolicy, compareTags, latestTag, type TagPolicy } from "../../src/promote/tag-policy.ts";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

describe("parseImageRef", () => {
  it.each([
    { written: "nginx", registry: "docker.io", path: "library/nginx" },
    { written: "nginx:1.27", registry: "docker.io", path: "library/nginx", tag: "1.27" },
    { written: "bitnami/redis:7", registry: "docker.io", path: "bitnami/redis", tag: "7" },
    { written: "docker.io/nginx", registry: "docker.io", path: "library/nginx" },
    { written: "index.docker.io/library/nginx:latest", registry: "docker.io", path: "library/nginx", tag: "latest" },
    { written: "ghcr.io/org/team/app:v1.2.3", registry: "ghcr.io", path: "org/team/app", tag: "v1.2.3" },
    { written: "localhost/app", registry: "localhost", path: "app" },
    { written: "localhost:5000/app:dev", registry: "localhost:5000", path: "app", tag: "dev" },
    { written: "registry.example.com:8443/a/b", registry: "registry.example.com:8443", path: "a/b" },
    { written: `ghcr.io/org/app@${DIGEST}`, registry: "ghcr.io", path: "org/app", digest: DIGEST },
    { written: `ghcr.io/org/app:1.0@${DIGEST}`, registry: "ghcr.io", path: "org/app", tag: "1.0", digest: DIGEST },
    { written: "us-central1-docker.pkg.dev/p/repo/frontend:v0.10.6", registry: "us-central1-docker.pkg.dev", path: "p/repo/frontend", tag: "v0.10.6" },
    { written: "[::1]:5000/app:1", registry: "[::1]:5000", path: "app", tag: "1" },
  ])("$written", ({ written, registry, path, tag, digest }) => {
    const ref = parseImageRef(written);
    expect({ registry: ref.registry, path: ref.path, tag: ref.tag, digest: ref.digest }).toEqual({ registry, path, tag, digest });
  });

  it.each([
    ["", "empty"],
    ["org/UPPER", "invalid repository path component"],
    ["app:bad tag", "invalid tag"],
    ["app@sha256:short", "invalid digest"],
    ["app:", "invalid tag"],
    ["${IMAGE}", "invalid"],
    ["{{ .Values.image }}", "invalid"],
  ])("refuses %j (%s)", (written, message) => {
    expect(() => parseImageRef(written)).toThrow(message);
    expect(tryParseImageRef(written)).toBeUndefined();
  });

  it("compares by repository", () => {
    expect(sameRepository(parseImageRef("nginx:1"), parseImageRef("docker.io/library/nginx@" + DIGEST))).toBe(true);
    expect(sameRepository(parseImageRef("nginx"), parseImageRef("ghcr.io/nginx"))).toBe(false);
    expect(repositoryOf(parseImageRef("redis"))).toBe("docker.io/library/redis");
  });

  it("formats and keeps the written name", () => {
    const ref = parseImageRef("nginx:1");
    expect(ref.writtenName).toBe("nginx");
    expect(formatImageRef(ref.writtenName, "2", undefined)).toBe("nginx:2");
    expect(canonicalImageRef(ref)).toBe("docker.io/library/nginx:1");
    expect(pinnedTag("1.2", DIGEST)).toBe(`1.2@${DIGEST}`);
    expect(splitPinnedTag(`1.2@${DIGEST}`)).toEqual({ tag: "1.2", digest: DIGEST });
  });
});

describe("tag policies", () => {
  const semver: TagPolicy = { type: "semver", range: ">=1.2.0 <2.0.0" };
  const timestamps: TagPolicy = { type: "regex", pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)$", extract: "$ts" };

  it.each([
    [{ type: "exact", tag: "1.0.0" } as TagPolicy, "1.0.0", true],
    [{ type: "exact", tag: "1.0.0" } as TagPolicy, "1.0.1", false],
    [semver, "1.4.2", true],
    [semver, "v1.4.2", true],
    [semver, "2.0.0", false],
    [semver, "1.1.9", false],
    [semver, "latest", false],
    [{ type: "semver", range: ">=1.0.0-0" } as TagPolicy, "1.5.0-rc.1", true],
    [timestamps, "main-abc123-1700000000", true],
    [timestamps, "feature-abc123-1700000000", false],
  ])("%j accepts %s: %s", (policy, tag, expected) => {
    expect(acceptsTag(policy, tag)).toBe(expected);
  });

  it("orders semver tags", () => {
    expect(latestTag(semver, ["1.2.0", "1.10.0", "1.9.3", "2.0.0", "nope"])).toBe("1.10.0");
    expect(compareTags(semver, "1.2.0", "1.10.0")).toBeLessThan(0);
  });

  it("orders by the extracted capture, numerically when it is a number", () => {
    expect(latestTag(timestamps, ["main-aaa-900", "main-bbb-1000", "main-ccc-99"])).toBe("main-bbb-1000");
    const alphabetical: TagPolicy = { type: "regex", pattern: "^rc-(.*)$", order: "alphabetical" };
    expect(latestTag(alphabetical, ["rc-b", "rc-c", "rc-a"])).toBe("rc-c");
  });

  it("accepts no tag: undefined", () => {
    expect(latestTag(semver, ["3.0.0"])).toBeUndefined();
  });

  it("refuses invalid and dangerous policies", () => {
    expect(() => checkPolicy({ type: "semver", range: "not a range!" })).toThrow("not a semver range");
    expect(() => checkPolicy({ type: "regex", pattern: "(" })).toThrow("invalid tag pattern");
    expect(() => checkPolicy({ type: "regex", pattern: "^(a+)+$" })).toThrow("refused");
  });
});
