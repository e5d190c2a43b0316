import { Hono } from 'hono';
import { checkAgainstSource, readingMinutesOf } from '../../draft/story.ts';
import { EditorialError } from '../../store/index.ts';
import type { DeskEnv } from '../context.ts';
import { HttpError } from '../errors.ts';
import { parseEditForm } from '../forms.ts';
import { judgementOfEdit } from '../judgement.ts';
import { versionDiff, versionText } from '../version-text.ts';
import { ConflictPage } from '../views/story.tsx';
import { storyIdParam } from './shared.ts';

/**
 * "Save": an editor's edit becomes a new version of the one they opened. If that is no longer
 * current (another editor saved, or a re-draft landed), nothing is saved: HTTP 409 with both texts.
 */
export const edit = new Hono<DeskEnv>();

edit.post('/stories/:id/edit', async (c) => {
  const id = storyIdParam(c);
  const o = c.get('options');
  const versions = await o.store.editorial.versions(id);
  const ownCategories = versions.map((v) => v.draft.category);
  const { version, verdict, recommendation, ...values } = parseEditForm(await c.req.parseBody(), [
    ...o.categories,
    ...new Set(ownCategories.filter((k) => !o.categories.includes(k))),
  ]);
  // The verdict and recommendation fields become the editor's judgement when they change the
  // version's standing ones (versions never change, so reading the base first is safe).
  const base = versions.find((v) => v.id === version);
  const judged = base ? judgementOfEdit(base.draft, { verdict, recommendation }) : { ok: true as const, judgement: null };
  if (!judged.ok) throw new HttpError(400, judged.message);
  const article = await o.store.articles.get(id);
  // The edited text is checked against the article as a model's is: a quote is grounded only if
  // it is there, a takeaway supported only if its quote says it, and each number or name of the
  // prose must occur in the article. Without an extracted article nothing can be grounded.
  const checked = checkAgainstSource(values, { title: article?.title ?? '', text: article?.text ?? '' });
  const prose = { ...values, takeaways: checked.takeaways };
  const edited = { ...prose, unsupportedClaims: checked.unsupportedClaims, needsReview: checked.failures.length > 0, readingMinutes: readingMinutesOf(prose) };
  let saved;
  try {
    saved = await o.store.editorial.saveEdit(id, version, { ...edited, judgement: judged.judgement }, c.get('session')!.user.name, o.now());
  } catch (err) {
    if (err instanceof EditorialError) throw new HttpError(err.code === 'sent' ? 409 : 404, err.message);
    throw err;
  }
  if (saved.ok) return c.redirect(`/stories/${id}?done=saved`, 303);
  const page = (
    <ConflictPage
      nonce={c.get('nonce')}
      session={c.get('session')!}
      storyId={id}
      yours={{ ...values, verdict, recommendation }}
      current={saved.current}
      changes={versionDiff(versionText(saved.current.draft), versionText(values))}
      categories={o.categories}
    />
  );
  return c.html(page, 409);
});
