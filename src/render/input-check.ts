// Every file a render will read is checked before a binary sees it: kustomize spins for minutes on
// a YAML alias bomb, so the YAML is parsed here first, with an alias limit, and sizes are bounded.
import type { DiscoveredEnvironment } from "../discover/discover.ts";
import { UserError } from "../errors.ts";
import type { Finding } from "../model.ts";
import type { Files } from "../ports.ts";
import { joinRepoPath } from "../util/paths.ts";
import { parseYaml } from "../util/yaml.ts";

export const MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024;

export class InputChecker {
  private readonly checked = new Map<string, Promise<Finding | undefined>>();

  constructor(
    private readonly root: string,
    private readonly files: Files,
  ) {}

  /** Problems with the environment's input files; each file is checked once per revision. */
  async check(environment: DiscoveredEnvironment): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const file of [...environment.inputs].sort()) {
      const key = `${file}\0${environment.yamlInputs.has(file)}`;
      let result = this.checked.get(key);
      if (!result) this.checked.set(key, (result = this.checkFile(file, environment.yamlInputs.has(file))));
      const finding = await result;
      if (finding) findings.push(finding);
    }
    return findings;
  }

  private async checkFile(file: string, isYaml: boolean): Promise<Finding | undefined> {
    const absolute = joinRepoPath(this.root, file);
    const info = await this.files.stat(absolute);
    if (info && info.size > MAX_INPUT_FILE_BYTES) {
      return {
        ruleId: "input-too-large",
        severity: "error",
        message: `${file} is ${info.size} bytes, more than the ${MAX_INPUT_FILE_BYTES} an input may have`,
        location: { file },
      };
    }
    if (!isYaml) return undefined;
    try {
      parseYaml(await this.files.readText(absolute), file);
      return undefined;
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      return { ruleId: "yaml-invalid", severity: "error", message: error.message, location: error.location ?? { file } };
    }
  }
}
