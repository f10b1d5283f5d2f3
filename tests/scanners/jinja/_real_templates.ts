// The real chat templates committed under fixtures/jinja/benign/real/ (one folder per source), which
// every place that analyses templates must leave clean.

/** How many there are: a test that reads fewer has lost some. */
export const REAL_TEMPLATE_COUNT = 145;

/** Each real template, as `folder/name.jinja` and its text, in a stable order. */
export async function realTemplates(): Promise<{ name: string; text: string }[]> {
  const root = new URL("../../../fixtures/jinja/benign/real/", import.meta.url);
  const templates: { name: string; text: string }[] = [];
  for await (const folder of Deno.readDir(root)) {
    if (!folder.isDirectory) continue;
    for await (const entry of Deno.readDir(new URL(`${folder.name}/`, root))) {
      const name = `${folder.name}/${entry.name}`;
      templates.push({ name, text: await Deno.readTextFile(new URL(name, root)) });
    }
  }
  return templates.sort((a, b) => a.name < b.name ? -1 : 1);
}
