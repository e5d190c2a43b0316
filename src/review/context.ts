import type { Context } from 'hono';
import type { Pricing } from '../core/pricing.ts';
import type { NewsletterSettings } from '../export/index.ts';
import type { Session, Store } from '../store/index.ts';

/** What the desk reads and writes: stories and articles, editorial decisions and versions, users, newsletter issues, other outlets' copies. */
export type DeskStore = Pick<Store, 'stories' | 'articles' | 'editorial' | 'users' | 'issues' | 'coverage'> & {
  /** The database, named on the login page while it has no editor (so the right one gets one). */
  readonly location?: string;
  readonly dialect?: Store['dialect'];
};

/** How the desk is set up: its store, and how it is reached. */
export interface DeskOptions {
  store: DeskStore;
  /** Re-drafts one story with the model; absent (no model), the story page says why instead of offering Re-draft. */
  redraft?: (storyId: number) => Promise<{ ok: true } | { ok: false; message: string }>;
  /**
   * The origin browsers reach the desk at (e.g. https://desk.example behind a TLS proxy). POSTs
   * must come from it. Default: the origin the request was made to.
   */
  publicOrigin?: string;
  /**
   * The address the desk listens on (`--host`). Without a public origin, only requests whose Host
   * names it, or a loopback name, with the listening port, are answered (DNS rebinding).
   */
  listenHost?: string;
  /** Believe X-Forwarded-Proto, -Host and -For from a reverse proxy. Off unless configured. */
  trustProxy?: boolean;
  /** The client's address for login rate limits (default: the socket's peer). */
  clientAddress?: (c: Context) => string;
  /** Categories an editor may pick when editing. */
  categories?: readonly string[];
  /**
   * How the newsletter presents itself (`newsletter.*` in the config): the story preview, the
   * issue's email preview and /feed.xml use it. Default: the config's defaults.
   */
  newsletter?: NewsletterSettings;
  /** Prices per model (`llm.pricing`): a draft's provenance shows its estimated cost when its model has one. */
  pricing?: Pricing;
  /** Where the desk says what went wrong on the server, one line each (default: stderr). */
  log?: (line: string) => void;
  /** `llm.model`: prices a draft whose server reported a dated name for it (src/render/provenance.ts). */
  model?: string | null;
  now?: () => Date;
  /** Session expiry: after this long unused, and this long after login whatever happens. */
  sessionIdleMinutes?: number;
  sessionMaxHours?: number;
  /**
   * Failed logins within the window: `perAccount` for one account from one address before that
   * address is refused for it (and, from all addresses, before the account's logins are slowed
   * down), `perAddress` from one address over all accounts before it is refused.
   */
  loginLimits?: { perAccount: number; perAddress: number; windowMinutes: number };
}

export type DeskEnv = {
  Variables: {
    /** The queue's filter options, read at most every 30 s (facets.ts). */
    facets: () => ReturnType<DeskStore['editorial']['queueFacets']>;
    options: Required<Pick<DeskOptions, 'now' | 'sessionIdleMinutes' | 'sessionMaxHours' | 'loginLimits' | 'categories' | 'newsletter' | 'pricing'>> & DeskOptions;
    /** A fresh nonce per response: the only inline script allowed is the one carrying it. */
    nonce: string;
    session: Session | null;
    /** Set by the one route that serves the newsletter's own HTML, to be framed by the Issue page under its own policy. */
    emailPreview: boolean;
  };
};

export type DeskContext = Context<DeskEnv>;
