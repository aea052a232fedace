"""IBM Debater Claim Stance (Bar-Haim et al. 2017): Wikipedia claims, PRO/CON a debate motion.

Target = `topicTarget` (a short phrase: `boxing`, `the monarchy`), not the motion text
(`This house would ban boxing`): the guideline's targets are actors, policies or ideas. A
claim's PRO/CON is toward the motion, and `topicSentiment` is the motion's own sentiment
toward its target (-1 for "ban boxing"), so stance toward the target = PRO/CON x sentiment.
No `none` class. Official train/test split (by topic); dev = 10% of the train topics.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.data.converters.common import map_label, read_csv
from training.data.schema import Row
from training.data.splits import rank_split

SOURCE = "ibm_claim_stance"
FOLDER = "ibm_claim_stance"
FILE = "claim_stance_dataset_v1.repaired.csv"
MOTION_STANCE = {"PRO": 1, "CON": -1}
TOPIC_SENTIMENT = {"1": 1, "-1": -1}
STANCE = {1: "favor", -1: "against"}
DEV_SHARE = 0.1


def convert(data_dir: Path) -> Iterator[Row]:
    path = Path(data_dir) / FOLDER / FILE
    records = list(read_csv(path))
    train_topics = [r["topicId"] for r in records if r["split"] == "train"]
    carved = rank_split(train_topics, dev=DEV_SHARE, test=0.0, salt=SOURCE)
    for n, rec in enumerate(records, 1):
        where = f"{path}: data row {n}"
        sign = map_label(MOTION_STANCE, rec["claims.stance"], where) * map_label(
            TOPIC_SENTIMENT, rec["topicSentiment"], where
        )
        split = map_label({"train": "train", "test": "test"}, rec["split"], where)
        yield Row(
            id=f"{SOURCE}:{rec['claims.claimId']}",
            text=rec["claims.claimCorrectedText"].strip(),
            target=rec["topicTarget"].strip(),
            stance=STANCE[sign],
            framing=None,
            speaker=None,
            source=SOURCE,
            doc_id=f"topic-{rec['topicId']}",
            origin="gold",
            split=carved.get(rec["topicId"], split) if split == "train" else split,
            meta={
                "motion": rec["topicText"],
                "motion_stance": rec["claims.stance"],
                "topic_sentiment": int(rec["topicSentiment"]),
                "claim_target": rec["claims.claimTarget.text"] or None,
                "article": rec["claims.article.cleanFile"],
            },
        )
