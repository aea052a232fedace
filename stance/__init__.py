"""stance: quoted statements in news, their speakers, stance toward a target and sectarian framing."""
from stance.gazetteer import Gazetteer, canonical_target, find_targets, unique_targets
from stance.quotes import extract_quotes
from stance.types import LabelledQuote, Prediction, Quote, TargetMention, TargetStance

__all__ = [
    "Gazetteer", "LabelledQuote", "Prediction", "Quote", "StanceClassifier", "TargetMention", "TargetStance",
    "canonical_target", "classify_article", "extract_quotes", "find_targets", "label_frame", "quotes_frame",
    "unique_targets",
]
__version__ = "0.1.0"


def __getattr__(name: str):
    # the model stack (numpy, tokenizers, onnxruntime, torch) loads only when it is asked for
    if name == "StanceClassifier":
        from stance.model import StanceClassifier

        return StanceClassifier
    if name == "classify_article":
        from stance.article import classify_article

        return classify_article
    if name in ("label_frame", "quotes_frame"):
        from stance import frames

        return getattr(frames, name)
    raise AttributeError(f"module 'stance' has no attribute {name!r}")
