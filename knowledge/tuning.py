"""The lookup's tuning: the weights, factors and thresholds of building the index and answering.

One place for the numbers, shared by knowledge/index.py (building) and knowledge/question.py,
knowledge/scoring.py and knowledge/lookup.py (answering).
"""

from __future__ import annotations

MAX_QUESTION = 120  # characters of a question considered (longer pastes are cut)
MIN_SCORE = 40.0  # below this the best candidate is not an answer
FULL_SCORE = 100.0  # the highest score an answer shows
MARGIN = 10.0  # candidates further below the best are left out of the matches
FIELD_TOPIC = 1.0  # weight of a bigram found in a duty's topic or keywords
FIELD_TEXT = 0.85  # weight of a bigram found only in the duty's text
SYNONYM = 0.95  # factor of a match through the YAML synonyms
LEXICON = 0.9  # factor of a match through the shared lexicon (staff's words, not the document's)
HOMOPHONE = 0.9  # factor of a match through a same-pronunciation correction
ONE_OFF = 0.8  # factor of a match through a one-character correction (3-4 character terms)
ONE_OFF_SHORT = 0.7  # the same for 2-character terms
FUZZY_SHARE = 0.25  # share of the rapidfuzz tie-break in the final score
UNIT_BONUS = 3.0  # bonus when the question's words are in the unit's own name
SUPPORT_PENALTY = 6.0  # a supporting role ranks below the unit that leads the same topic
SUBJECT_PENALTY = 15.0  # "领导小组办公室设在哪": the office itself is not the answer
ROLE_BONUS = 8.0  # an answer whose unit does what the question's verb asks (谁组织 → 组织)
UNFRAMED_MIN = 75.0  # share of a question without a word of responsibility (看电影) that must be
# the documents' words for it to be answered
OVERALL_SCORE = 80.0  # score of the overall duties answering "全区服务业谁牵头"
BRIDGE_MAX = 6  # longest window checked for a typo across a stop-word (旅有业)
# Tokens after which a one-character verb is a role verb ("经费谁出", "谁定", "从哪出").
WHO_TOKENS = frozenset(
    {"谁", "哪", "哪个", "哪家", "哪里", "哪儿", "哪一个", "由谁", "谁来", "谁去"}
)
# Units of these kinds are what a question is about ("协调会议办公室在哪") when it asks "who";
# departments, agencies and streets are the answers.
SUBJECT_KINDS = frozenset({"meeting", "leadership", "organisation"})
TOP_K = 30  # candidates given the fuzzy tie-break
GENERIC_DF = 0.25  # a bigram in more than this share of all duties says nothing (服务, 发展)
UNIT_PREFIXES = "县区市镇各"  # "县交通局" is also called "交通局"
UNIT_SUFFIXES = "局委办社行联厅处所站院队"  # last character of a typed unit name
CLEAR_GAP = 5.0  # a best answer this far above the next unit's is answered, the others related
MEMBER_MIN = 25.0  # a unit a collective stands for answers its duty when its topic covers this
FAR_AHEAD = 1.5  # a best candidate under MIN_SCORE answers a who-question when this many times
# the next unit's score
STORY_LENGTH = 20  # characters from which a question is told with its story (FAR_AHEAD applies)
ASSESSED_GAP = 12  # characters between an assessing verb and the unit it assesses (考核 … 乡镇)
SHORT_ASK = 6  # an asking clause this short (园林局管不管) takes its topic and errands from before
TIE = 1.0  # duties of a named unit this close to its best are read together (partners)
HINT_SCORE = 25.0  # a declined question's candidates above this are offered as the closest duties
HINTS = 3  # at most this many closest duties
# An answer the rules score at or above SURE_SCORE is sure (one of the arbiter's features); the
# learned model's answer replaces the rules' when the arbiter gives it more than ARBITER_ODDS.
SURE_SCORE = 70.0
ARBITER_ODDS = 0.5
KIND_PENALTY = 12.0  # "哪个局": a leader or a meeting is not the kind of answer asked for
PERSON_BONUS = 8.0  # "谁召集", "组长是谁": a leader is
UNFOUND = 0.6  # weight of question content the documents do not know at all (vs 1 for known)
DEPUTY_PENALTY = 6.0  # a deputy's or helper's part (副召集人, 协助) when the question asks neither
DEPUTY_WORDS = ("副", "协助", "配合")
UNIT_RESIDUE = 1  # a named unit with at most this much unknown residue (a typo's stray
# character: 工商連 → 工商联 + 连) is asked about
NAMED_ELSEWHERE = 60.0  # a unit named, its duties not fitting: another unit's duty must fit this
# well to answer instead ("教育局中考政策" is not 财政局's 财税政策)
NAMED_WEAK = 50.0  # a named unit's best duty under this, with unknown nouns left, is not what was
# asked ("县体育局负责体育彩票销售吗": 体育 is its duty's, 彩票销售 is not the documents')
LIGHT_VERB = 0.6  # an unknown verb weighs this share of an unknown noun (借用, 成立)
LIGHT_FUNCTION = 0.25  # an unknown adverb, pronoun, time word... (专门, 平时, 这种)
