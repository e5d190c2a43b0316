import { createHash } from 'node:crypto';
import { canonicalUrl } from './url.ts';

/**
 * The stable identity of an item inside its feed: `guid:<guid>`, else `url:<canonical link>`,
 * else `hash:<first 32 hex of sha256(title + "\n" + content)>`.
 */
export function itemKey(parts: { guid: string | null; link: string | null; title: string | null; content: string | null }): string {
  const guid = parts.guid?.trim();
  if (guid) return `guid:${guid}`;
  const url = parts.link ? canonicalUrl(parts.link) : null;
  if (url) return `url:${url}`;
  const digest = createHash('sha256').update(`${parts.title ?? ''}\n${parts.content ?? ''}`).digest('hex');
  return `hash:${digest.slice(0, 32)}`;
}
