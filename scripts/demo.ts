/**
 * `npm run demo`: serves the bundled demo feed and articles on 127.0.0.1, runs the pipeline on
 * them into data/demo.db (offline extractive engine unless OPENAI_API_KEY is set), and prints
 * the drafts, one story in the newsletter's layout, where to look, and how to open the desk on
 * that database (an editor added to it first).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../src/config/index.ts';
import { openStore } from '../src/store/index.ts';
import { runPipeline } from '../src/pipeline/run.ts';
import { formatRunSummary, formatStoryList } from '../src/cli/output.ts';
import { newsletterStory, renderText } from '../src/render/index.ts';
import { startSiteServer } from '../test/helpers/site-server.ts';
import { demoSiteRoutes } from './demo-site.ts';

const dataDir = 'data';
const dbPath = join(dataDir, 'demo.db');
const configPath = join(dataDir, 'demo.yaml');

const site = await startSiteServer();
for (const [path, route] of Object.entries(demoSiteRoutes(site.origin))) site.setRoute(path, route);
try {
  const yaml = `# Written by npm run demo: the demo site on ${site.origin} (stopped when the demo ends).
feeds:
  - name: The Demo Gazette
    url: ${site.origin}/feed.xml
network:
  allow: ["${site.hostPort}"]
`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(configPath, yaml);
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  const { config, errors } = parseConfig(yaml, process.env, join(process.cwd(), configPath));
  if (!config) throw new Error(errors.join('\n'));
  const db = await openStore(dbPath);
  console.log(`Demo site on ${site.origin}; drafting with the ${config.llmConfigured ? 'LLM' : 'offline extractive'} engine...\n`);
  const summary = await runPipeline(config, db);
  console.log(formatRunSummary(summary));
  console.log('\nStories:');
  const stories = await db.stories.list();
  process.stdout.write(formatStoryList(stories));
  const first = stories.find((s) => s.draft);
  const shown = first && newsletterStory(first, config.newsletter);
  if (shown) {
    console.log(`\nStory ${first.id} as the newsletter prints it (show ${first.id} --format text):\n`);
    process.stdout.write(renderText(shown));
  }
  await db.close();
  console.log(`
Where to look:
  npx aiwins --db ${dbPath} stories            list the drafts
  npx aiwins --db ${dbPath} show 1             one draft beside its source facts
  npx aiwins --db ${dbPath} --config ${configPath} show 1 --format markdown   the story in the newsletter's layout (or html, text)
  npx aiwins --db ${dbPath} stories --json     the JSON other tools read
  npx aiwins --db ${dbPath} feeds              the feed's status

The editors' desk on this database: add an editor (the password on stdin), start the desk, and log in as ann on http://127.0.0.1:8080
  printf '%s\\n' 'a long passphrase' | npx aiwins --db ${dbPath} users add ann --password-stdin
  npx aiwins --db ${dbPath} --config ${configPath} serve${config.llmConfigured ? '' : `

Re-draft (on the desk, or \`aiwins redraft\`) needs a model: set OPENAI_API_KEY, or llm.baseURL in ${configPath}.`}`);
} finally {
  await site.close();
}
