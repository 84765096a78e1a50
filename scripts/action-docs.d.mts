export function actionDocs(actionYaml: string): string;
export function updateReadme(readme: string, actionYaml: string): string;
