// What the core needs from the world. Adapters implement these; feature modules only see the interfaces.

export interface FileInfo {
  type: "file" | "directory" | "symlink" | "other";
  size: number;
}

export interface DirEntry {
  name: string;
  type: FileInfo["type"];
}

/** File system access. Paths are absolute, native paths. */
export interface Files {
  readText(path: string): Promise<string>;
  /** The bytes of a binary file (a compiled OPA bundle). */
  readBytes(path: string): Promise<Uint8Array>;
  writeText(path: string, content: string): Promise<void>;
  /** undefined when nothing is there; does not follow a final symlink. */
  stat(path: string): Promise<FileInfo | undefined>;
  list(dir: string): Promise<DirEntry[]>;
  /** Resolves symlinks; undefined when the path does not exist. */
  realpath(path: string): Promise<string | undefined>;
  makeTempDir(prefix: string): Promise<string>;
  removeTree(path: string): Promise<void>;
  mkdirp(path: string): Promise<void>;
  /** Creates a symbolic link at `path` pointing to the absolute path `target`. */
  symlink(target: string, path: string): Promise<void>;
  /** Copies one file byte for byte, creating the destination's directory. */
  copyFile(from: string, to: string): Promise<void>;
}

export interface ExecOptions {
  cwd?: string;
  /** Kill the process and all its children after this long. Required: nothing may hang a run. */
  timeoutMs: number;
  env?: Record<string, string | undefined>;
  input?: string;
  /** Stop reading (and kill the process) past this many bytes of stdout. */
  maxOutputBytes?: number;
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  outputTooLarge: boolean;
  durationMs: number;
}

/** Runs a binary. Never through a shell. Rejects only when the binary cannot be started at all. */
export interface Exec {
  run(command: string, args: string[], options: ExecOptions): Promise<ExecResult>;
  /** The absolute path of a binary on PATH, or undefined. */
  which(command: string): Promise<string | undefined>;
}

/** A checkout of one revision on disk. dispose() removes it. */
export interface Checkout {
  dir: string;
  sha: string;
  dispose(): Promise<void>;
}

export interface Git {
  /** The repository's top-level directory, or a UserError when dir is not in a git repository. */
  topLevel(dir: string): Promise<string>;
  /** Full SHA of a ref, or a UserError naming the ref. */
  resolve(ref: string): Promise<string>;
  mergeBase(a: string, b: string): Promise<string>;
  /** The upstream of the current branch ("origin/main"), if any. */
  upstream(): Promise<string | undefined>;
  /** Files changed from `from` to `to` (a SHA, or undefined for the working tree incl. untracked files). */
  changedFiles(from: string, to: string | undefined): Promise<string[]>;
  /** A file's content at a revision (repository-relative path), or undefined when it is not there. */
  showFile(sha: string, file: string): Promise<string | undefined>;
  /** The fetch URLs of the repository's remotes (none when it has no remote). */
  remoteUrls(): Promise<string[]>;
  /** Materialise a revision in a temporary directory, outside the working tree. */
  checkout(sha: string): Promise<Checkout>;
  /** The current branch's short name, or undefined when HEAD is detached. */
  currentBranch(): Promise<string | undefined>;
  /** Paths with uncommitted changes (tracked or untracked), as `git status --porcelain` lists them. */
  dirtyFiles(): Promise<string[]>;
  /** Stages exactly these files (repository-relative) and commits them; returns the new commit's SHA. */
  commit(files: string[], message: string, identity?: GitIdentity): Promise<string>;
  /** Pushes `source` (a SHA or ref) to `branch` of `remote`. A rejection is a result, not an exception. */
  push(remote: string, source: string, branch: string, options?: { force?: boolean }): Promise<PushResult>;
  /** Fetches `branch` from `remote`; the fetched commit's SHA, or undefined when the remote has no such branch. */
  fetch(remote: string, branch: string): Promise<string | undefined>;
  /** Rebases the current branch onto `onto`. On a conflict the rebase is aborted and the conflicting files returned. */
  rebase(onto: string, identity?: GitIdentity): Promise<{ ok: true } | { ok: false; conflicts: string[] }>;
  /** Moves the current branch (or detached HEAD) to `sha`, keeping no change of the commits left behind. */
  resetTo(sha: string): Promise<void>;
}

export interface GitIdentity {
  name: string;
  email: string;
}

export type PushResult =
  | { ok: true }
  /** `stale`: the remote moved on (non-fast-forward, or another push held the ref): fetch, rebase, retry. */
  | { ok: false; reason: "stale" | "refused"; message: string };

/**
 * Plain HTTP GET, for schema downloads. Rejects only when no answer came (DNS, refused, timeout) or the answer was
 * unusable (a body over the adapter's size limit); the rejection's message is "GET <url>: <reason>".
 */
export interface Http {
  get(url: string, options: { timeoutMs: number }): Promise<{ status: number; body: string }>;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /** Progress on long work; adapters may render it as a status line. */
  progress(done: number, total: number, what: string): void;
}

export const silentLogger: Logger = {
  info() {},
  warn() {},
  debug() {},
  progress() {},
};

/** A finding pinned to a line of a file in the change, as a code host shows it. */
export interface Annotation {
  file: string;
  line: number;
  level: "failure" | "warning" | "notice";
  title: string;
  message: string;
}

export interface StatusReport {
  /** Stable name, so branch protection can require it. */
  name: string;
  sha: string;
  result: "pass" | "fail" | "error";
  title: string;
  summary: string;
  annotations: Annotation[];
  detailsUrl?: string;
}

export interface StatusResult {
  kind: "check-run" | "commit-status" | "none";
  annotationsPublished: number;
}

/** Where a pull/merge request lives: GitHub or GitLab, behind one interface. */
export interface ReviewHost {
  readonly name: "github" | "gitlab";
  /** The largest comment body the host accepts, in characters. */
  readonly commentLimit: number;
  /**
   * Updates the one comment carrying `marker`, or creates it (unless `createIfMissing` is false).
   * `render` is asked for a body within a budget; the host may ask again with a smaller one.
   */
  upsertComment(marker: string, render: (budget: number) => string, createIfMissing: boolean): Promise<{ action: "created" | "updated" | "skipped"; url?: string }>;
  /** The pass/fail status of the commit; hosts without checks (GitLab: the job's exit code) do nothing. */
  publishStatus(status: StatusReport): Promise<StatusResult>;
}

/** An open pull/merge request, as a promotion reuses it. */
export interface ChangeRequest {
  number: number;
  url: string;
  title: string;
  body: string;
}

/** Where promotion pull/merge requests are opened: one per head branch, reused and updated while it is open. */
export interface PromotionHost {
  readonly name: "github" | "gitlab";
  /** The open pull/merge request from `head` (a branch name), if any. */
  findOpenRequest(head: string): Promise<ChangeRequest | undefined>;
  createRequest(request: { head: string; base: string; title: string; body: string }): Promise<ChangeRequest>;
  updateRequest(number: number, update: { title: string; body: string }): Promise<ChangeRequest>;
}

/** An object in a cluster, by its API identity. `namespace` is "" for cluster-scoped kinds. */
export interface ClusterRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** How the API server serves a kind (discovery). */
export interface ClusterResource {
  group: string;
  version: string;
  kind: string;
  /** The URL segment, e.g. "deployments". */
  plural: string;
  namespaced: boolean;
}

/**
 * The Kubernetes API, as apply and drift need it. Every method rejects with a `ClusterError` (errors.ts) carrying
 * the API's reason (Conflict, NotFound, Invalid, Forbidden…) or "Unreachable" when no answer came.
 */
export interface Cluster {
  /** The API server's URL and the kubeconfig context, for messages. */
  readonly server: string;
  readonly context: string;
  /** How the server serves `apiVersion`/`kind`; undefined when it does not (a CRD not established yet). */
  resource(apiVersion: string, kind: string, options?: { refresh?: boolean }): Promise<ClusterResource | undefined>;
  /** The version the server prefers for an API group ("" is the core group: "v1"); undefined when it does not serve it. */
  preferredVersion(group: string): Promise<string | undefined>;
  /** The live object, or undefined when it does not exist. */
  get(ref: ClusterRef): Promise<Record<string, unknown> | undefined>;
  /** Objects of a kind, in one namespace ("" = all namespaces, or cluster-scoped), optionally by label selector. */
  list(apiVersion: string, kind: string, options: { namespace: string; labelSelector?: string }): Promise<Record<string, unknown>[]>;
  /** Server-side apply (PATCH application/apply-patch+yaml); the object as the server returns it. */
  apply(object: Record<string, unknown>, options: { fieldManager: string; force: boolean; dryRun: boolean }): Promise<Record<string, unknown>>;
  /** Creates an object (POST); rejects with reason AlreadyExists when it exists. */
  create(object: Record<string, unknown>, options: { fieldManager: string }): Promise<Record<string, unknown>>;
  /** Replaces an object (PUT) at its metadata.resourceVersion; rejects with reason Conflict when it moved on. */
  replace(object: Record<string, unknown>, options: { fieldManager: string }): Promise<Record<string, unknown>>;
  /**
   * Deletes an object; `uid` is a precondition (never delete a newer object of the same name). Resolves "gone" when it
   * did not exist.
   */
  delete(ref: ClusterRef, options: { uid?: string; dryRun: boolean; propagationPolicy?: "Background" | "Foreground" | "Orphan" }): Promise<"deleted" | "gone">;
}

/** A tracking issue (drift) on GitHub or GitLab. */
export interface TrackedIssue {
  number: number;
  url: string;
  title: string;
  body: string;
}

/** Where the drift check keeps its one open tracking issue per marker: found, opened, updated, closed. */
export interface IssueTracker {
  readonly name: "github" | "gitlab";
  /** The largest issue body the host accepts, in characters. */
  readonly bodyLimit: number;
  /** The open issue whose body carries `marker`, if any. */
  findOpenIssue(marker: string): Promise<TrackedIssue | undefined>;
  createIssue(issue: { title: string; body: string; labels: string[] }): Promise<TrackedIssue>;
  updateIssue(number: number, update: { title: string; body: string }): Promise<TrackedIssue>;
  /** Adds `comment` (if given) and closes the issue. */
  closeIssue(number: number, comment?: string): Promise<void>;
}
