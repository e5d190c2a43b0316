/** The newsletter renderers: pure functions of a story value, shared by `show --format`, exports and the desk. */
export { newsletterStory, formatStoryDate, metaLine, markRuns, safeHttpUrl, readerUrl, excerptAfterTldr, OFFLINE_NOTE, type Mark, type MarkedRun, type NewsletterStory, type NewsletterSettings, type StoredStory } from './story.ts';
export { renderText, type RenderOptions } from './text.ts';
export { renderMarkdown, escapeMarkdown, linkTarget } from './markdown.ts';
export { renderHtml, StoryArticle } from './html.tsx';

/** The formats `show --format` knows. */
export const STORY_FORMATS = ['markdown', 'html', 'text'] as const;
export type StoryFormat = (typeof STORY_FORMATS)[number];
