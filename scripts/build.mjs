// Bundles the entry points into dist/ with esbuild. `--check` builds into a temporary directory and
// fails when the committed dist/ differs (CI runs it, so dist/ always matches src/).
import { build } from "esbuild";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const check = process.argv.includes("--check");
const entryPoints = {
  cli: "src/entrypoints/bin.ts",
  action: "src/entrypoints/action-main.ts",
};

async function bundle(outdir) {
  await build({
    absWorkingDir: root,
    entryPoints,
    outdir,
    bundle: true,
    // code loaded on demand (the Kubernetes client, for apply and drift only) goes to chunks/, so every other
    // command starts without parsing it
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    platform: "node",
    format: "esm",
    target: "node22",
    legalComments: "none",
    logLevel: "warning",
    // some dependencies are CommonJS and call require(): give the ESM bundle one
    banner: {
      js: "import { createRequire as __gvCreateRequire } from 'node:module';\nconst require = __gvCreateRequire(import.meta.url);",
    },
  });
}

/** Every file under dir (chunks/ included), as sorted relative paths. */
async function listFiles(dir) {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name))).sort();
  } catch {
    return [];
  }
}

if (!check) {
  await rm(path.join(root, "dist"), { recursive: true, force: true });
  await bundle(path.join(root, "dist"));
} else {
  const temp = await mkdtemp(path.join(os.tmpdir(), "gitops-verify-dist-"));
  try {
    await bundle(temp);
    const fresh = await listFiles(temp);
    const committed = await listFiles(path.join(root, "dist"));
    const stale = [];
    for (const name of new Set([...fresh, ...committed])) {
      const a = fresh.includes(name) ? await readFile(path.join(temp, name)) : undefined;
      const b = committed.includes(name) ? await readFile(path.join(root, "dist", name)) : undefined;
      if (!a || !b || !a.equals(b)) stale.push(name);
    }
    if (stale.length > 0) {
      console.error(`dist/ is out of date (${stale.join(", ")}): run "npm run build" and commit dist/`);
      process.exitCode = 1;
    } else {
      console.log("dist/ matches the sources");
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
