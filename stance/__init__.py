"""stance: quoted statements in news, their speakers, stance toward a target and sectarian framing."""
from stance.gazetteer import find_targets
from stance.quotes import extract_quotes
from stance.types import Quote, TargetMention

__all__ = ["Quote", "TargetMention", "extract_quotes", "find_targets"]
__version__ = "0.1.0"
