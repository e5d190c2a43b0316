/**
 * coverage/: the same story from several outlets. An item whose text is a copy of a story already
 * seen (syndicated text, the same press release, the same headline and lead) is recognised from
 * MinHash signatures, found through LSH band keys. Pure: no store, no I/O; the pipeline keeps
 * the signatures in the store and calls these.
 */
export { bandKeys, signStory, titleWordsOf, wordsOf, type StorySignature } from './signature.ts';
export { coverageReason, DEFAULT_THRESHOLDS, judgeCoverage, likeness, type CoverageMatch, type CoverageReason, type CoverageThresholds, type Likeness, type SeenStory } from './judge.ts';
