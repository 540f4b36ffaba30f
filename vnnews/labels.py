"""The domain vocabulary: the topics an article may have, their Vietnamese names, and the province names a request
may use. Search requests and digests validate their `topic` and `province` here, so both answer alike.

>>> validate_topic("startup"), TOPIC_LABELS["startup"]
('startup', 'Khởi nghiệp')
>>> validate_province("Sai Gon"), place_label("Hồ Chí Minh")
('Hồ Chí Minh', 'TP. Hồ Chí Minh')
"""

from __future__ import annotations

from vnnews.errors import InvalidInput

TOPICS = ("ai", "startup", "digital_transformation")
TOPIC_LABELS = {"ai": "Trí tuệ nhân tạo", "startup": "Khởi nghiệp", "digital_transformation": "Chuyển đổi số"}


def validate_topic(topic: str | None) -> str | None:
    """A topic as given, when it is one of TOPICS; InvalidInput naming `topic` otherwise."""
    if topic is None:
        return None
    if topic not in TOPICS:
        raise InvalidInput(f"unknown topic {topic!r}; use one of: {', '.join(TOPICS)}", field="topic")
    return topic


def validate_province(province: str | None) -> str | None:
    """Any spelling of a current or former province → the name as given if former, else the current name."""
    if province is None:
        return None
    # The province names and their spellings are read from vietnamadminunits by the gazetteer, which owns that
    # table; it imports only nlp/, and is imported here only when a province is asked for.
    from models.provinces import CURRENT_PROVINCES, FORMER_PROVINCES, current_name

    if province in FORMER_PROVINCES and province not in CURRENT_PROVINCES:
        return province
    name = current_name(province)
    if name is None:
        raise InvalidInput(
            f"unknown province {province!r}; use a Vietnamese province name such as "
            f"{', '.join(CURRENT_PROVINCES)} (former names like Quảng Nam also work)", field="province")
    return name


def topic_label(topic: str) -> str:
    """The Vietnamese name of a topic: 'startup' → 'Khởi nghiệp'."""
    return TOPIC_LABELS.get(topic, topic)


def place_label(province: str) -> str:
    """How a province reads in a sentence: 'Hồ Chí Minh' alone is the person, so the city is 'TP. Hồ Chí Minh'."""
    return "TP. Hồ Chí Minh" if province == "Hồ Chí Minh" else province


def __getattr__(name: str):
    """CURRENT_PROVINCES (34 names) and FORMER_PROVINCES (former name → current), read from the gazetteer's
    tables on first use (see validate_province)."""
    if name in ("CURRENT_PROVINCES", "FORMER_PROVINCES"):
        from models import provinces

        return getattr(provinces, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
