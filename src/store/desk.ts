import type { Db } from './db.ts';
import { EditorialStore } from './editorial.ts';
import { getArticle } from './items.ts';
import { getStory, type StoryJson } from './stories.ts';
import { UserStore } from './users.ts';

/** The extracted article of a story, as the desk shows it beside the draft. */
export interface SourceArticle {
  storyId: number;
  finalUrl: string | null;
  title: string | null;
  byline: string | null;
  siteName: string | null;
  text: string;
  /** Sanitized when extracted; sanitized again before display. */
  html: string | null;
  wordCount: number;
  readingMinutes: number;
  method: string;
  confidence: number;
  extractedAt: Date;
}

/**
 * Everything the editors' desk reads and writes: stories, editorial decisions and versions,
 * users and sessions. The desk talks to nothing else; a second backend implements this.
 */
export type DeskStore = Pick<EditorialStore, 'decide' | 'decisions' | 'versions' | 'review' | 'saveEdit' | 'queue' | 'queueFacets'> &
  Pick<UserStore, 'credentials' | 'createSession' | 'useSession' | 'endSession' | 'recordLoginAttempt' | 'recentLoginFailures'> & {
    getStory(id: number): Promise<StoryJson | null>;
    getArticle(id: number): Promise<SourceArticle | null>;
  };

/** The desk's store over a SQLite handle. */
export function deskStore(db: Db): DeskStore {
  const editorial = new EditorialStore(db);
  const users = new UserStore(db);
  return {
    decide: editorial.decide.bind(editorial),
    decisions: editorial.decisions.bind(editorial),
    versions: editorial.versions.bind(editorial),
    review: editorial.review.bind(editorial),
    saveEdit: editorial.saveEdit.bind(editorial),
    queue: editorial.queue.bind(editorial),
    queueFacets: editorial.queueFacets.bind(editorial),
    credentials: users.credentials.bind(users),
    createSession: users.createSession.bind(users),
    useSession: users.useSession.bind(users),
    endSession: users.endSession.bind(users),
    recordLoginAttempt: users.recordLoginAttempt.bind(users),
    recentLoginFailures: users.recentLoginFailures.bind(users),
    getStory: async (id) => getStory(db, id),
    getArticle: async (id) => {
      const a = getArticle(db, id);
      if (!a) return null;
      return {
        storyId: a.item_id,
        finalUrl: a.final_url,
        title: a.title,
        byline: a.byline,
        siteName: a.site_name,
        text: a.text,
        html: a.html,
        wordCount: a.word_count,
        readingMinutes: a.reading_minutes,
        method: a.method,
        confidence: a.confidence,
        extractedAt: new Date(a.extracted_at),
      };
    },
  };
}
