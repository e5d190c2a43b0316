/**
 * The loopback world most end-to-end tests run the CLI against: the demo site (its feed and
 * article pages), a local OpenAI-compatible server and a temp project folder. One place, so each
 * test file says only what differs.
 */
import { demoSiteRoutes } from '../../scripts/demo-site.ts';
import { startOpenAiServer, type OpenAiServer } from './openai-server.ts';
import { fixtureConfig, tempProject, type TempProject } from './project.ts';
import { startSiteServer, type SiteServer } from './site-server.ts';

export interface DemoWorld {
  site: SiteServer;
  llm: OpenAiServer;
  project: TempProject;
  /** Stops both servers and deletes the project folder. */
  close(): Promise<void>;
}

export async function startDemoWorld(
  opts: { demoRoutes?: boolean; llmHandler?: Parameters<typeof startOpenAiServer>[0] } = {},
): Promise<DemoWorld> {
  const site = await startSiteServer();
  if (opts.demoRoutes !== false) for (const [path, route] of Object.entries(demoSiteRoutes(site.origin))) site.setRoute(path, route);
  const llm = await startOpenAiServer(opts.llmHandler);
  const project = tempProject();
  return {
    site,
    llm,
    project,
    close: async () => {
      await Promise.all([site.close(), llm.close()]);
      project.remove();
    },
  };
}

/** The config of one feed, the demo site's, with its host allowed and (unless `llm: false`) the local model. */
export function demoConfig(world: Pick<DemoWorld, 'site' | 'llm'>, opts: { llm?: boolean; extra?: string } = {}): string {
  return fixtureConfig({
    feeds: [{ name: 'Demo Gazette', url: `${world.site.origin}/feed.xml` }],
    allow: [world.site.hostPort],
    llmBaseURL: opts.llm === false ? undefined : world.llm.url,
    extra: opts.extra,
  });
}
