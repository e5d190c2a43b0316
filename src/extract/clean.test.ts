import { describe, expect, it } from 'vitest';
import { cleanContentDom, cleanParagraphs } from './clean.ts';
import { parsePage } from './dom.ts';
import { blockText } from './text.ts';

const story = [
  'The council approved the plan on Tuesday after a long debate about costs and benefits.',
  'Officials said the model would be reviewed after one winter, and the results published.',
];

const storyParagraphs = [
  ...story,
  'The pilot ran on four routes in the hill villages, where drifts close roads most often, and waiting times fell by a third.',
  'The model will now cover all forty routes in the county from December, at a cost of less than one extra gritting lorry.',
];

describe('cleanParagraphs', () => {
  it('drops label lines, bylines and dates at the edges, legal footers anywhere', () => {
    const text = ['Home', 'By MARIA LOPEZ', 'January 8, 2008 4:33 PM', story[0], 'Advertisement', story[1], 'Print Email this', '© 2008 Herald. All rights reserved.'].join('\n\n');
    expect(cleanParagraphs(text)).toBe(story.join('\n\n'));
  });

  it("drops advertisement labels and an archive's note under a syndicated story", () => {
    const text = [story[0], 'Advertisements', story[1], 'The full article contains 295 words and appears in County Herald newspaper.'].join('\n\n');
    expect(cleanParagraphs(text)).toBe(story.join('\n\n'));
  });

  it('drops a closing line on how to reach the writer, parentheses inside parentheses included', () => {
    const text = [...story, '(Herald movie editor Jo Reed can be reached at jreed(at)herald.example.)'].join('\n\n');
    expect(cleanParagraphs(text)).toBe(story.join('\n\n'));
    expect(cleanParagraphs([...story, 'Jo Reed can be reached at jreed@herald.example'].join('\n\n'))).toBe(story.join('\n\n'));
  });

  it("drops a blog's post furniture: tag and trackback lines, a text-size tool, a prompt to click", () => {
    const furniture = [
      'Font Scale: A A A',
      'Click on a title below to learn more.',
      'This entry was tagged with the following keywords: ploughs council',
      'The URI to TrackBack this entry is:',
    ];
    const text = [story[0], furniture[0], furniture[1], story[1], furniture[2], furniture[3]].join('\n\n');
    expect(cleanParagraphs(text)).toBe(story.join('\n\n'));
  });

  it('drops a comment policy, even a paragraph-long one', () => {
    const policy =
      'Comments are reviewed by our editors, so there may be a delay before yours appears. Offensive or abusive comments will not be published, ' +
      'and neither will comments containing personal attacks, profanity, phone numbers or addresses. By submitting a comment you agree to our terms ' +
      'of use and accept that the Herald may edit it for length.';
    expect(cleanParagraphs([...story, 'Have your say', policy].join('\n\n'))).toBe(story.join('\n\n'));
  });

  it('drops prompts to click, log in or join, wherever they are', () => {
    const prompts = [
      'This section is no longer updated, please click on the links below to read news from our other titles:',
      'Only members can comment. Registered members log-in here',
      'Become a member:',
    ];
    const text = [prompts[0], story[0], story[1], prompts[1], prompts[2]].join('\n\n');
    expect(cleanParagraphs(text)).toBe(story.join('\n\n'));
  });

  it("drops a fact box's label-and-value lines at the end", () => {
    const facts = ['Cast: Jo Reed, Sam Hale, Ruth Cole', 'Rated: PG-13 for language and some innuendo', 'Running time: 1:50'];
    expect(cleanParagraphs([...story, ...facts].join('\n\n'))).toBe(story.join('\n\n'));
  });

  it("drops a comment form's links, however they are worded", () => {
    const text = ['POST COMMENT | READ COMMENTS (No comments posted.)', ...story, 'Write a comment', 'Submit your comments'].join('\n\n');
    expect(cleanParagraphs(text)).toBe(story.join('\n\n'));
  });

  it("drops an ad block's label and a story-continues-below marker", () => {
    const text = [story[0], 'Advertisement Links', 'Story continues below', story[1], 'Sponsored content'].join('\n\n');
    expect(cleanParagraphs(text)).toBe(story.join('\n\n'));
  });

  it("drops a pointer to the site's terms or privacy policy, and a newsletters heading", () => {
    const text = [story[0], 'Please read our Terms and Conditions and Privacy Statement before using this site.', story[1]].join('\n\n');
    expect(cleanParagraphs(text)).toBe(story.join('\n\n'));
    expect(cleanParagraphs([story[0], 'Privacy Policy | Terms of Use', 'HERALD NEWSLETTERS', story[1]].join('\n\n'))).toBe(story.join('\n\n'));
  });

  it('keeps a sentence of the story about a privacy policy', () => {
    const text = [story[0], 'The company changed its privacy policy in March after complaints from users.', story[1]].join('\n\n');
    expect(cleanParagraphs(text)).toBe(text);
  });

  it('drops who may comment and a request for readers\' feedback, with the signature above it', () => {
    const text = [...story, 'Only members of the Club can enter comments.'].join('\n\n');
    expect(cleanParagraphs(text)).toBe(story.join('\n\n'));
    const feedback = [...story, 'Jo Reed, Hilltown', 'Readers can mail me their comments, suggestions and advice at jo@herald.example'].join('\n\n');
    expect(cleanParagraphs(feedback)).toBe(story.join('\n\n'));
  });

  it("drops a syndicated story's note on where it came from", () => {
    const note =
      'This story is sourced direct from an overseas news agency as an additional service to readers. Spelling follows North American usage.';
    expect(cleanParagraphs([...story, note].join('\n\n'))).toBe(story.join('\n\n'));
  });

  it("drops a wire agency's tag above the lede, also when it sits under a dateline", () => {
    expect(cleanParagraphs(['(IANS)', 'Home', ...story].join('\n\n'))).toBe(story.join('\n\n'));
    const header = ['Get the Herald headlines emailed to you daily.', 'Sunday 30th December, 2007', '(IANS)'];
    expect(cleanParagraphs([...header, ...story].join('\n\n'))).toBe(story.join('\n\n'));
  });

  it('keeps a parenthesis that opens the story when it is a sentence, not a tag', () => {
    const text = ['(The council has since reversed the decision on the northern routes.)', ...story].join('\n\n');
    expect(cleanParagraphs(text)).toBe(text);
  });

  it('keeps short lines in the middle, where they may be sub-headings', () => {
    const text = [story[0], 'What happens next', story[1]].join('\n\n');
    expect(cleanParagraphs(text)).toBe(text);
  });

  it('drops a deck or notice above a dateline near the top, with the dateline', () => {
    const header = ['There is a more recent version of this article.', 'Jan 12, 2008 2:04 AM by Staff'];
    expect(cleanParagraphs([...header, ...story].join('\n\n'))).toBe(story.join('\n\n'));
  });

  it('keeps a short sentence with a date below the lede, and a long paragraph above a date line', () => {
    const withDate = [story[0], 'The vote is set for March 3, 2008.', story[1]];
    expect(cleanParagraphs(withDate.join('\n\n'))).toBe(withDate.join('\n\n'));
    const long = `${story[0]} ${story[1]}`;
    expect(cleanParagraphs([long, 'January 8, 2008', ...story].join('\n\n'))).toBe([long, 'January 8, 2008', ...story].join('\n\n'));
  });

  it('drops the headline when the text starts with it', () => {
    expect(cleanParagraphs(['Council approves plough model', ...story].join('\n\n'), new Set(), 'Council approves plough model')).toBe(story.join('\n\n'));
  });

  it('never trims a text away entirely', () => {
    expect(cleanParagraphs('Home')).toBe('Home');
  });

  it('ends the story at a related-stories label in its last third, with the list it labels', () => {
    const related = ['Related Articles', 'Gritters strike over pay', 'Drivers walked out on Monday after talks with the county broke down a...'].join('\n');
    expect(cleanParagraphs([...storyParagraphs, related, 'Snow due at the weekend'].join('\n\n'))).toBe(storyParagraphs.join('\n\n'));
  });

  it("ends the story at an about-the-author heading in its last third, with the writer's biography", () => {
    const bio = ['About the author:', 'Jo Reed covers transport for the Herald. Follow her on Twitter, or write to her at the newsroom.'];
    expect(cleanParagraphs([...storyParagraphs, ...bio].join('\n\n'))).toBe(storyParagraphs.join('\n\n'));
  });

  it('drops only the label when a related-stories label comes early: the story may follow a menu', () => {
    expect(cleanParagraphs([story[0], 'Latest News', ...story.slice(1)].join('\n\n'))).toBe(story.join('\n\n'));
  });

  it('leaves a rule out when asked (for measuring it)', () => {
    const text = ['Home', ...story].join('\n\n');
    expect(cleanParagraphs(text, new Set(['edge-lines']))).toBe(text);
  });
});

/** Readability's content element for `body`, parsed the way a page is, and its text after cleaning. */
function cleanedText(body: string): string {
  const { document } = parsePage(`<!DOCTYPE html><html><body><div id="content">${body}</div></body></html>`, 'https://herald.example/a', {
    maxElements: 1000,
    maxDepth: 100,
  });
  const content = document.querySelector('#content')!;
  cleanContentDom(content);
  return blockText(content);
}

describe('cleanContentDom', () => {
  it('removes a side column that Readability took in with the story, even a long one', () => {
    const blogPost =
      "It's the anniversary of a songwriter's death this week, and I remember the phone call from a friend who had seen him play. " +
      'He wrote the songs that a whole category of singers is named after, and most of them have three names and a guitar.';
    const body =
      `<table><tr><td><div id="middlecolumn">${storyParagraphs.map((p) => `<p>${p}</p>`).join('')}</div></td>` +
      `<td><div class="noprint" id="rightcolumn"><h2>Blogs</h2><p>${blogPost}</p></div></td></tr></table>`;
    expect(cleanedText(body)).toBe(storyParagraphs.join('\n\n'));
  });

  it("removes the writer's biography box under the story", () => {
    const bio = 'The Herald Trust is a not-for-profit charity that manages the county archive. For more information, call the trust.';
    const body = `${storyParagraphs.map((p) => `<p>${p}</p>`).join('')}<div class="AuthorSummary"><div class="Biography"><span>${bio}</span></div></div>`;
    expect(cleanedText(body)).toBe(storyParagraphs.join('\n\n'));
  });
});
