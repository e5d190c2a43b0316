/**
 * Points feeds.yaml's `llm.prompt` at a prompt file (`aiwins prompts promote`), through the yaml
 * Document API, so comments and every other key survive.
 */
import { isMap, parseDocument, type YAMLMap } from 'yaml';
import { fail, ok, type Outcome } from '../core/failure.ts';
import { parseConfig } from './index.ts';

/** The config text with `llm.prompt` set to `promptPath` (as written), and the value it replaced. */
export function setPromptInConfigText(configYaml: string, promptPath: string): Outcome<{ text: string; previous: string | null }> {
  const doc = parseDocument(configYaml);
  if (doc.errors.length > 0) {
    return fail('config.invalid', `the config is not valid YAML: ${doc.errors.map((e) => e.message.split('\n')[0]).join('; ')}`);
  }
  if (doc.contents === null) doc.contents = doc.createNode({}) as YAMLMap.Parsed;
  if (!isMap(doc.contents)) return fail('config.invalid', 'the config is not a YAML mapping (key: value) at the top');
  const llm = doc.get('llm');
  if (llm === null) doc.set('llm', doc.createNode({}));
  else if (llm !== undefined && !isMap(llm)) return fail('config.invalid', 'llm: expected a mapping (key: value)');
  const previous = doc.getIn(['llm', 'prompt']);
  doc.setIn(['llm', 'prompt'], promptPath);
  // lineWidth 0: never fold existing long strings onto new lines.
  const text = doc.toString({ lineWidth: 0 });
  const check = parseConfig(text, {});
  if (!check.config) return fail('config.invalid', `the config would not be valid: ${check.errors.join('; ')}`);
  return ok({ text, previous: typeof previous === 'string' ? previous : null });
}
