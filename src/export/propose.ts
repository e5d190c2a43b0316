import type { Story } from '../store/index.ts';

const time = (s: Story): number => (s.published ?? s.draft?.createdAt)?.getTime() ?? 0;

/**
 * The order a new issue proposes: stories grouped by category, the group with the newest story
 * first, newest first within each group. Ties break on the story id, so the order is stable.
 */
export function proposeIssueOrder(stories: readonly Story[]): number[] {
  const newestFirst = [...stories].sort((a, b) => time(b) - time(a) || b.id - a.id);
  const groups = new Map<string, Story[]>();
  for (const s of newestFirst) {
    const category = s.draft?.category ?? '';
    groups.set(category, [...(groups.get(category) ?? []), s]);
  }
  // Map keeps insertion order: the first group seen holds the newest story.
  return [...groups.values()].flat().map((s) => s.id);
}
