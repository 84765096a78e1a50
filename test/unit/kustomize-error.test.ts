import { describe, expect, it } from "vitest";
import { findKustomize, firstKustomizeError, kustomizeArgs } from "../../src/render/kustomize.ts";
import type { Exec } from "../../src/ports.ts";

describe("firstKustomizeError", () => {
  it.each([
    {
      name: "kubectl: warnings first, then the klog line",
      stderr: [
        "# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
        'E1122 22:55:59.438351    1908 run.go:72] "command failed" err="accumulating resources: accumulation err=\'accumulating resources from \'gone.yaml\'\': open gone.yaml: no such file or directory\'"',
      ].join("\n"),
      expected: "accumulating resources: accumulation err='accumulating resources from 'gone.yaml'': open gone.yaml: no such file or directory'",
    },
    {
      name: "kustomize: Error line",
      stderr: "Warning: something harmless\nError: map[string]interface {}(nil): yaml: unmarshal errors:\n  line 3: mapping values\n",
      expected: "map[string]interface {}(nil): yaml: unmarshal errors:",
    },
    {
      name: "klog escapes are decoded",
      stderr: 'E0101 00:00:00.000000       1 run.go:72] "command failed" err="bad \\"quoted\\" value"',
      expected: 'bad "quoted" value',
    },
    { name: "unknown format: first meaningful line", stderr: "W0101 noise\nsomething broke\n", expected: "something broke" },
    { name: "empty", stderr: "", expected: "kustomize failed without a message" },
  ])("$name", ({ stderr, expected }) => {
    expect(firstKustomizeError(stderr)).toBe(expected);
  });
});

describe("choosing the kustomize binary", () => {
  const execWith = (onPath: string[]): Exec => ({
    run: () => Promise.reject(new Error("not used")),
    which: async (command) => (onPath.includes(command) ? `/usr/bin/${command}` : undefined),
  });

  it.each([
    { name: "auto prefers kustomize", choice: "auto", onPath: ["kustomize", "kubectl"], expected: "kustomize" },
    { name: "auto falls back to kubectl", choice: "auto", onPath: ["kubectl"], expected: "kubectl" },
    { name: "kubectl when asked", choice: "kubectl", onPath: ["kustomize", "kubectl"], expected: "kubectl" },
  ] as const)("$name", async ({ choice, onPath, expected }) => {
    expect((await findKustomize(execWith([...onPath]), choice)).kind).toBe(expected);
  });

  it.each([
    { choice: "kustomize", onPath: ["kubectl"], message: /no kustomize binary is on PATH/ },
    { choice: "auto", onPath: [], message: /neither kustomize nor kubectl/ },
  ] as const)("fails clearly: $choice with $onPath", async ({ choice, onPath, message }) => {
    await expect(findKustomize(execWith([...onPath]), choice)).rejects.toThrow(message);
  });

  it("never enables plugins, exec functions or helm", () => {
    for (const binary of [
      { kind: "kustomize", path: "/k" },
      { kind: "kubectl", path: "/k" },
    ] as const) {
      const args = kustomizeArgs(binary, "/repo/env");
      expect(args.join(" ")).not.toMatch(/enable/);
    }
  });
});
