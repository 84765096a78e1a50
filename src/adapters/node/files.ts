import { copyFile, lstat, mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { DirEntry, FileInfo, Files } from "../../ports.ts";

function typeOf(stats: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FileInfo["type"] {
  if (stats.isSymbolicLink()) return "symlink";
  if (stats.isFile()) return "file";
  if (stats.isDirectory()) return "directory";
  return "other";
}

export class NodeFiles implements Files {
  readText(file: string): Promise<string> {
    return readFile(file, "utf8");
  }

  async readBytes(file: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(file));
  }

  async writeText(file: string, content: string): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content, "utf8");
  }

  async stat(file: string): Promise<FileInfo | undefined> {
    try {
      const stats = await lstat(file);
      return { type: typeOf(stats), size: stats.size };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async list(dir: string): Promise<DirEntry[]> {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.map((entry) => ({ name: entry.name, type: typeOf(entry) }));
  }

  async realpath(file: string): Promise<string | undefined> {
    try {
      return await realpath(file);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async makeTempDir(prefix: string): Promise<string> {
    // realpath: on some systems the temp dir is behind a symlink, and containment checks compare real paths
    return realpath(await mkdtemp(path.join(os.tmpdir(), prefix)));
  }

  async removeTree(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  async mkdirp(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
  }

  async copyFile(from: string, to: string): Promise<void> {
    await mkdir(path.dirname(to), { recursive: true });
    await copyFile(from, to);
  }

  async symlink(target: string, file: string): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    await symlink(target, file);
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}
