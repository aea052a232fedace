"""Words and thresholds the quote grammar is built from."""
from __future__ import annotations



# Verbs that introduce a source's words. Inflected forms are listed so no stemmer is needed.
SPEECH_VERBS = frozenset(
    """say says said tell tells told add adds added state states stated note notes noted
    explain explains explained stress stresses stressed insist insists insisted argue argues
    argued claim claims claimed warn warns warned declare declares declared announce
    announces announced ask asks asked write writes wrote tweet tweets tweeted reply replies
    replied continue continues continued conclude concludes concluded urge urges urged recall
    recalls recalled remark remarks remarked comment comments commented acknowledge
    acknowledges acknowledged admit admits admitted allege alleges alleged deny denies denied
    confirm confirms confirmed emphasise emphasises emphasised emphasize emphasizes
    emphasized suggest suggests suggested believe believes believed vow vows vowed pledge
    pledges pledged accuse accuses accused predict predicts predicted estimate estimates
    estimated charge charges charged complain complains complained maintain maintains
    maintained contend contends contended assert asserts asserted observe observes observed
    reveal reveals revealed promise promises promised threaten threatens threatened boast
    boasts boasted lament laments lamented joke jokes joked quip quips quipped shout shouts
    shouted counter counters countered respond responds responded retort retorts retorted
    testify testifies testified concede concedes conceded caution cautions cautioned demand
    demands demanded snap snaps snapped chant chants chanted exclaim exclaims exclaimed
    proclaim proclaims proclaimed cry cries cried yell yells yelled scream screams screamed
    whisper whispers whispered interject interjects interjected interrupt interrupts
    interrupted plead pleads pleaded sigh sighs sighed muse muses mused scoff scoffs scoffed
    echo echoes echoed wonder wonders wondered recount recounts recounted posted quoted mention mentions mentioned pointed""".split()
)
# Participles that attach a quote to the sentence's subject: `X told Newsmax ..., adding, "..."`.
SPEECH_PARTICIPLES = frozenset(
    """saying adding telling noting writing warning explaining insisting arguing asking claiming
    declaring stressing tweeting calling""".split()
)
# Verbs whose bare complement (no "that") is reliably reported speech: "X said the army ...".
BARE_COMPLEMENT_VERBS = frozenset(
    "say says said add adds added warn warns warned claim claims claimed insist insists insisted "
    "argue argues argued believe believes believed predict predicts predicted".split()
)
# Verbs whose object comes before the reported content: "told MEMO that", "warned reporters that".
OBJECT_VERBS = frozenset("tell tells told warn warns warned remind reminds reminded assure assures assured inform informs informed".split())

PRONOUNS = frozenset("he she they it we i".split())
PERSON_PRONOUNS = frozenset("he she".split())

TITLES = frozenset(
    """mr mrs ms dr prof gen lt col sgt capt maj gov sen rep rev adm president vice prime
    minister secretary general sheikh shaikh imam ayatollah grand king queen prince emir
    sultan pope father brigadier colonel major captain lieutenant commander spokesman
    spokeswoman spokesperson chairman chairwoman mayor judge senator governor ambassador
    envoy director chief leader pollster analyst""".split()
)
TIME_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december jan feb mar apr jun jul aug sep
    sept oct nov dec last next early late this today yesterday tonight morning evening""".split()
)
# Capitalised words that do not begin a name.
NOT_NAME_START = TIME_WORDS | frozenset(
    """the a an this that these those it its he she they we i you his her their our my in on
    at by for from with after before during when while but and or so yet if as since because
    although though however meanwhile according also still then there here thus asked
    speaking writing despite""".split()
)
# Words that mark an organisation or a place rather than a person.
NON_PERSON_WORDS = frozenset(
    """ministry ministries government forces force army police bureau council party
    committee commission watch organisation organization agency office department union
    movement front brigade brigades group coalition network news times post press institute
    centre center foundation association court parliament assembly league authority
    authorities command service services corps units unit regime state states nations
    campaign company corporation bank university tv radio channel guard guards observatory
    house kingdom republic city street school college county island airport hall club
    tower square river valley bay church mosque hotel hospital camp road avenue universe
    times journal magazine daily weekly reuters memo cnn bbc fox nbc cbs abc pbs""".split()
)
PREPOSITIONS = frozenset(
    "of for at from with in on by to about into over under against between among than like near".split()
)

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen lt col sgt capt maj gov sen rep rev adm st jr sr jan feb mar apr
    jun jul aug sep sept oct nov dec no vs etc e.g i.e u.s u.n u.k a.m p.m inc ltd co corp
    fig al""".split()
)

# A quoted phrase of this many words or fewer is a scare quote or title unless a cue attributes it.
SCARE_QUOTE_MAX_WORDS = 2
# Without a cue, a quoted span needs this many words to count as a statement.
UNATTRIBUTED_MIN_WORDS = 6
# An attribution is looked for this many characters from its quote.
ATTRIBUTION_WINDOW = 220
# A pronoun prefers the latest speaker over a person named less than this many characters later.
SPEAKER_MEMORY = 1000

# Nouns that head a role phrase a source can be named by ("a police spokesman", "security
# sources", "the minister"); plural forms are listed so no stemmer is needed.
ROLE_NOUNS = frozenset(
    """spokesman spokesmen spokeswoman spokeswomen spokesperson spokespeople official officials
    source sources minister ministers commander commanders president premier chancellor
    secretary leader leaders chief chairman chairwoman director governor mayor ambassador envoy
    general colonel brigadier officer officers analyst analysts expert experts researcher
    researchers witness witnesses resident residents activist activists doctor doctors nurse
    nurses farmer farmers teacher teachers student students worker workers lawyer lawyers judge
    senator senators lawmaker lawmakers legislator legislators representative representatives
    candidate nominee aide aides adviser advisers advisor advisors diplomat diplomats monitor
    monitors observer observers critic critics supporter supporters protester protesters
    demonstrator demonstrators voter voters member members cleric clerics imam sheikh emir king
    queen prince emir sultan pope bishop priest mufti ayatollah head founder owner manager
    executive executives economist economists historian professor scientist scientists
    journalist reporter correspondent editor columnist author writer pollster strategist
    strategists operative official's police statement report agency ministry government army
    military militia group groups party council committee commission campaign office
    organisation organization coalition alliance movement authorities authority people man
    woman men women father mother son daughter brother sister family families relative
    relatives survivor survivors victim victims soldier soldiers fighter fighters militant
    militants rebel rebels villager villagers employee employees staff driver drivers
    engineer engineers daily newspaper paper network channel broadcaster outlet magazine""".split()
)
# Words before a name that give the person's role: "Foreign Minister", "army commander".
ROLE_TITLE_WORDS = ROLE_NOUNS | TITLES
