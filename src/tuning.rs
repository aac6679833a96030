//! Numbers that tune behaviour, together, each with its reason.

use std::time::Duration;

/// How long a long-running view waits after a file-system event before reopening the
/// engine: an editor's save is several events (write, rename, attributes) in a few
/// milliseconds, and one refresh should see them all.
pub const FOLLOW_SETTLE: Duration = Duration::from_millis(40);

/// How often a long-running view walks `playbooks/` even without events: the kernel drops
/// events when its queue overflows, and sends none for a write made through a hard link
/// from outside the tree. A walk costs one `stat` per playbook (about 30 ms at 10,000).
pub const FOLLOW_BACKSTOP: Duration = Duration::from_secs(2);

/// `playbook serve`: how many recent answers each engine keeps. Agents on one floor type the
/// same few situations, letter by letter, so the same prefixes come back within seconds; an
/// answer is a few kilobytes, so a thousand of them cost a few megabytes at most.
pub const SERVE_ANSWERS_KEPT: usize = 1024;

/// `serve` and `live`: how many (step, score) entries of query words' scores each engine
/// keeps between searches (8 bytes each: 16 MB). A common word at 10,000 playbooks matches
/// some 10,000 steps, so this is a few hundred words: the ones the agents on a floor are
/// typing now.
pub const KEPT_WORD_SCORE_ENTRIES: usize = 2 * 1024 * 1024;

/// `serve` and `live`: how many steps' parsed records each engine keeps between searches.
/// An answer shows ten or so; a record with its translations is a few kilobytes, so this
/// is about 10 MB at most: the steps the agents on a floor are being shown now.
pub const KEPT_RECORDS: usize = 2048;

/// The situation matcher: how many unknown query words' typo matches it remembers. A
/// query is matched again on every keystroke, its earlier words with it; an entry is a word
/// and a few numbers, so thousands cost well under a megabyte.
pub const MATCHER_TYPO_WORDS_KEPT: usize = 4096;

/// Index files up to this size have their checksum verified on every search (a few
/// microseconds each); bigger ones only when their stamp changed since it was last good
/// (a flipped bit in them is caught when reading them fails, and the index is rebuilt).
pub const ALWAYS_CHECKSUMMED_BYTES: u64 = 64 * 1024;

// ---------------------------------------------------------------------------------------
// Ranking. Every weight a search uses lives here, with its reason.
// ---------------------------------------------------------------------------------------

/// Situation matcher: a situation is resolved when its best name matches at least this
/// well (a full name without typos is 1.0; each typo-tolerant word lowers it to 0.8).
pub const RESOLVE_MIN_STRENGTH: f32 = 0.75;
/// ...and at least this share of the best situation's strength: a weaker, partial reading
/// of the query is noise beside a clear one.
pub const RESOLVE_MIN_SHARE: f32 = 0.6;
/// "Did you mean" lists situations whose names half-match (partial matches score half
/// their share of matched words), above this.
pub const SUGGEST_MIN_STRENGTH: f32 = 0.2;
/// A word in the names of at least this share of the situations ("customer", "kunde",
/// "مشتری", "client", "ลูกค้า") is generic: it does not count towards how much of a query a
/// name explains, on either side ("kunde kræver en leder" was mostly the name "krævende
/// kunde", and the manager request sank below every demanding customer's step). At 0.3 the
/// customer words of all five languages are generic, at 0.5 only the English, Danish and
/// Thai ones. Measured on 1,443 dev queries: none 1,286, 0.3 1,288, 0.4 1,286, 0.5 1,289
/// (and [`DOMINANT_COVERAGE`] 0.5-0.8 with it: 1,283-1,288, so it stays).
pub const GENERIC_NAME_WORD_SHARE: f32 = 0.3;
/// A query that contains a situation's id ("legal-threat") names it outright: stronger than
/// any name match.
pub const ID_MATCH_STRENGTH: f32 = 2.0;
/// A Thai or Persian name found inside the query's letters scores 1 plus this per
/// character (up to 20): a longer name found whole is more specific.
pub const COMPACT_LENGTH_BONUS: f32 = 0.05;
/// A name all of whose words are in the query scores its words' average plus this per
/// extra word (up to three): longer names are more specific.
pub const NAME_LENGTH_BONUS: f32 = 0.1;
/// For suggestions only: a name with some of its words in the query scores this share.
pub const PARTIAL_NAME_SHARE: f32 = 0.5;
/// How well a query word matches a name's word when spelt like one of its forms.
pub const NAME_WORD_EXACT: f32 = 1.0;
/// ...and when within its typo budget: a guess, so below an exact match, but above
/// [`RESOLVE_MIN_STRENGTH`] so that a one-word name with a typo still resolves.
pub const NAME_WORD_TYPO: f32 = 0.8;

/// Search: weight of each field's matches. Exact spellings outrank folded and stemmed
/// ones; Thai bigrams are a net for words the dictionary does not know, so they count
/// little. Exact by a little only: with twelve `**Agents ask:**` lines a step, in other
/// word forms too, a step that says the query's word in another form is as likely the
/// answer (measured on 1,043 dev queries: 1.5 919, 1.3 922, 1.2 925, 1.1 925, 1.0 921,
/// 2.0 920; 1.2 and 1.1 tie on 790 blind dev queries' MRR too, and the one nearer the old
/// value was taken).
pub const FIELD_EXACT: f32 = 1.2;
pub const FIELD_THAI_BIGRAMS: f32 = 0.4;
pub const FIELD_STEMMED: f32 = 1.0;
/// English stems are reliable and English glosses exist for every step.
pub const FIELD_ENGLISH: f32 = 1.2;

/// A pair of the query's neighbouring words found together in a step ([`crate::analysis::
/// pairs`]) counts this much of a word (times its field's weight): two words said together
/// are likelier the step's point than two said apart, but a pair is a rare term, so at full
/// weight one shared phrase ("kunden kritiserer") outweighs the words the need is in.
/// Measured on 1,243 dev queries (a re-ranking of the top 30 first: 0.25 1,100, 0.4 1,105,
/// 0.5 1,107, 0.6 1,104, 0.75 1,099, 1.0 1,088; none 1,094); pairs across a function word
/// ("gerne have") left out: the same. In the index: 0.35 1,109, 0.5 1,110, 0.7 1,105; with
/// pairs of the stemmed forms only (one analyzer per language), 0.5 1,112.
pub const PAIR_WEIGHT: f32 = 0.5;

/// A query word's thesaurus words ([`crate::thesaurus`]) count this much of the word: the
/// agent's own word, where a step says it, is the better evidence. Measured on 1,343 dev
/// queries (words in at most 5 % of the steps expanded), with the reviewed thesaurus: 0.45
/// 1,200, 0.6 1,199, 0.8 1,198 (no thesaurus: 1,195); with its unreviewed draft, 0.6 1,202,
/// 0.8 1,200, 1.0 1,199. 0.6 was chosen on the draft. These figures had the exact Latin
/// spellings expanded too; read by each language's own analyzers only (a Romanian group
/// must not change a Danish word), 0.6 finds 1,197.
pub const THESAURUS_WEIGHT: f32 = 0.6;
/// A query word said by at most this share of the steps also looks for its thesaurus
/// words; a commoner word needs no help, and expanding it blurs the ranking. Measured on
/// 1,343 dev queries with the draft: every word expanded 1,198, at most 1.5 % of the steps
/// 1,197, 5 % 1,202, 8 % 1,201, 15 % 1,198; with the reviewed thesaurus: 3 % 1,197, 5 %
/// 1,199, 8 % 1,201, 15 % 1,196.
pub const THESAURUS_RARE_SHARE: f32 = 0.05;

/// Typo matches count this much of an exact match.
pub const FUZZY_FACTOR: f32 = 0.35;
/// How much a query word's other matching fields add to its best one.
pub const TIE_BREAKER: f32 = 0.2;

/// When the query is (nearly) all a situation's name, its steps come first, whatever else
/// the words match.
pub const DOMINANT_SITUATION_BOOST: f32 = 60.0;
/// How much of the query a situation's name must explain for the situation to dominate.
/// A little under three quarters: "ลูกค้า" (customer) before "ขอคุยกับผู้จัดการ" (asks to
/// talk to the manager) must not stop the query being a manager request.
pub const DOMINANT_COVERAGE: f32 = 0.6;
/// Otherwise the situation is a prior: the query names a situation and a need, and the
/// step that answers the need must not sink below every step merely tagged with the
/// situation. About one well-matched word's score (measured: 2 loses the situation's
/// help on vague queries, 8 and above buries the need again).
pub const SITUATION_PRIOR: f32 = 4.0;
/// A situation tagged on this share of the steps or fewer gets all of its prior; one on more
/// gets less, as an inverse document frequency falls (see `search::situation_specificity`):
/// in playbooks about angry customers, "angry customer" says little about which step a
/// query needs. Measured on 1,043 dev queries: no specificity 898, 0.1/0.2/0.3 902, 0.5
/// 898, near 0 (broad situations' priors almost gone) 887; with it, SITUATION_PRIOR 5 902,
/// 6 896, 8 889.
pub const SITUATION_SPECIFIC_SHARE: f32 = 0.2;
/// Strength above this (long names, ids) does not boost further.
pub const MAX_SITUATION_STRENGTH: f32 = 1.5;
/// Of a situation's score, the share for steps that list it first (their main one) rather
/// than among others: a tie-breaker, not a ranking of its own (measured on 743 dev queries:
/// 0.15, 0.3 and 0.5 find 521, 521 and 517 where 0.03 finds 529).
pub const PRIMARY_SITUATION_SHARE: f32 = 0.03;
/// Of a situation's score, the share that background and last-resort steps get for a
/// situation that is not their main one (first-line steps get all of it): among the steps
/// of a situation the query names, what to do first comes before what to try when all else
/// failed. A tie-breaker, like [`PRIMARY_SITUATION_SHARE`]: on 743 dev queries 1.0 finds
/// 528, 0.97 and 0.9 find 529, 0.5 finds 527 and loses held-out queries; with the
/// prevention, training and recognition steps also marked `background`, 0.5 finds 507 and
/// 0.9 loses held-out queries, so none is: the blind probes' writers take them as answers.
pub const LATER_ROLE_SITUATION_SHARE: f32 = 0.97;
/// A query word a resolved situation explains counts this much: it already counts through
/// the situation's prior, and must not count twice (but a step that says it in so many
/// words is still a little likelier; measured: 0.2-0.4 lose, 1.0 loses).
pub const EXPLAINED_WORD_WEIGHT: f32 = 0.7;

/// Score added to a step written in the query's language. Every step carries its
/// translations, so any step can be read in the query's language; but the original is what
/// its editors wrote and reviewed, so among near-equals it comes first: a tie-breaker, about
/// half of one well-matched word, far less than a situation's prior. History: 6 until the
/// sixth session of 2026-11-28, when it buried the answers other articles give (a Danish
/// query got the Danish article's general steps before the Persian article's specific
/// one). Measured then on the source-blind dev sets (A B D F H J L, 650 queries): 6 finds
/// 523, 3 finds 532, 2 finds 540, 1.5 finds 542, 0.5 finds 540; the playbook-written probes,
/// whose anchors name one language's original only, lose 13 of 240 at 2. What a larger
/// boost protected (a Romanian step's own title, "cauza nemulțumirii"; a Thai query's Thai
/// step) is kept by the first screen's own-language place instead
/// ([`OWN_LANGUAGE_CANDIDATES`]).
pub const LANGUAGE_BOOST: f32 = 2.0;
/// How many further candidates are looked at for a step in the query's own language: if
/// none of the first screen's (the default limit's) steps is in it, the best that is takes
/// the screen's last place.
pub const OWN_LANGUAGE_CANDIDATES: usize = 20;
/// A step in the query's language takes the last shown place only if it scores at least
/// this share of the best result: an agent reads their own language fastest, but a step
/// that barely matches is no help in any language.
pub const OWN_LANGUAGE_MIN_SHARE: f32 = 0.25;

/// The step classifier ([`crate::classifier`]): its log-probability of a candidate, times
/// this, is added to the candidate's score. About a well-matched word's score between a
/// likely step and one ten times less likely: it re-orders near-equals, it does not
/// overrule the words. Measured on 1,643 dev queries (1,465 without it): 1.0 finds 1,468,
/// 1.5 1,469, 2.0 1,469, 2.5 1,470, 3.0 1,471 (MRR 0.848), 4.0 1,467. Again with twice the
/// `Agents ask` lines, on 1,743: 2.0 1,604, 2.5 1,604, 3.0 1,609 (MRR 0.874), 3.5 1,610 (MRR
/// 0.873), 4.0 1,609, 5.0 1,603.
pub const CLASSIFIER_WEIGHT: f32 = 3.0;
/// The classifier re-orders this many of the engine's first candidates: the prototype found
/// the same re-ranking the first 10 as the first 60; on 1,743 dev queries 6 find 1,570, 10
/// 1,573, 15 1,575, 20 1,574 (with the first added `Agents ask` lines).
pub const CLASSIFIER_CANDIDATES: usize = 10;
/// Above this many steps (with introductions) no classifier is trained: its model is a
/// weight per step and feature bucket (a byte each: 1.2 MB at 66 steps), and training reads
/// every step.
pub const CLASSIFIER_MAX_STEPS: u64 = 2_000;

/// Finglish (Persian in Latin letters, [`crate::finglish`]): the most a Latin word's vowels
/// may differ from a Persian word's for one to be read as the other. Leaving out a short
/// vowel costs 0.15 and a long one 0.6–0.8, so this allows a word's short vowels and one
/// long vowel left out ("hamkar" for همکار, "zade" for زاده), not a different word.
pub const FINGLISH_MAX_COST: f32 = 1.0;
/// Finglish readings within this cost of the best are taken as equally good, and the word
/// the playbooks use most is chosen: "a" is a short vowel (not written) as often as an alef
/// (0.15 apart), and a count of uses tells them apart better than a spelling does.
pub const FINGLISH_EQUAL_COST: f32 = 0.2;
/// Finglish words shorter than this are not read as Persian: two letters ("ba", "ke") match
/// dozens of Persian words, and the short ones are function words the search drops anyway.
pub const FINGLISH_MIN_LETTERS: usize = 3;

// ---------------------------------------------------------------------------------------
// Bounds on what is read. Every file is read whole into memory, so each has a ceiling far
// above any real file of its kind; a file over it is named in a diagnostic or a warning,
// never read whole and never dropped silently.
// ---------------------------------------------------------------------------------------

/// A playbook: the largest shipped one is 40 KB (a Thai translation), so 2 MB is a pasted
/// book or a binary mistake, and parsing it would slow every build.
pub const MAX_PLAYBOOK_BYTES: u64 = 2 * 1024 * 1024;
/// `situations.toml`: the shipped one is 50 KB for about forty situations; 4 MB is eighty
/// times that (thousands of situations), and still parses in well under a second.
pub const MAX_TAXONOMY_BYTES: u64 = 4 * 1024 * 1024;
/// `playbook.toml`: two settings today; 64 KB is room for any configuration.
pub const MAX_CONFIG_BYTES: u64 = 64 * 1024;
/// The compiled taxonomy cache in `index/`: about ten times the taxonomy it compiles.
pub const MAX_TAXONOMY_CACHE_BYTES: u64 = 16 * MAX_TAXONOMY_BYTES;
/// The index's own small files (`CURRENT`, a manifest, the sizes sidecar): a manifest is
/// about 150 bytes per playbook (3 MB at 20,000); anything near this bound is not ours.
pub const MAX_INDEX_METADATA_BYTES: u64 = 256 * 1024 * 1024;
/// The miss log (one line of about 150 bytes per search that found nothing): 64 MB is
/// some 400,000 misses, years of a large call centre, and summarises in about a second. A
/// longer log is summarised from its end (the latest searches), with a warning.
pub const MAX_MISSES_LOG_BYTES: u64 = 64 * 1024 * 1024;
