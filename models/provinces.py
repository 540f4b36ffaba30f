"""Gazetteer tagger: which of the 34 current provinces a Vietnamese news article is about.

The province lists (34 current, 63 former), the merger mapping and the district names come from the
``vietnamadminunits`` data files; only a small alias table and a list of well-known cities/landmarks are written
here. Matching is one pass over the word tokens of the text with a dict lookup of n-grams (longest match first),
so the cost does not grow with the size of the gazetteer. Each mention is weighed by where it stands (title, lead,
body) and what surrounds it (admin cue, hometown, list of provinces...); a province is tagged when the sum of its
mention weights reaches ``TAG_THRESHOLD``.

>>> [m.name for m in tag_provinces("UBND tỉnh Quảng Nam ký kết hợp tác", "")]
['Đà Nẵng']
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from importlib import resources

from nlp.fold import fold
from nlp.normalize import normalize

# --- salience weights: a province is tagged when the sum over its mentions reaches TAG_THRESHOLD -----------------
TAG_THRESHOLD = 0.5
W_TITLE = 0.6          # a mention in the title: the article is very likely about it
W_LEAD = 0.5           # in the lead (or the first sentences of the body): enough alone
W_BODY = 0.12          # a plain mention further down
W_BODY_CUE = 0.22      # a body mention with an admin/place cue ("UBND tỉnh X", "tại X", "TP X")
W_WEAK = 0.02          # hometown, comparison, a list of several provinces, "các tỉnh ..."
IMPLIED_FACTOR = 1.0   # weight of a city/district/landmark relative to the province's own name (tuned: as much)
LEAD_CHARS = 400       # without a lead: the body up to the first sentence end after this many characters
LIST_MIN = 3           # a chain of this many provinces ("A, B, C và D") is a list: each member is weak
RELATIVE_MIN = 0.3     # a tagged province also needs this fraction of the best province's score

# --- hand-written tables -----------------------------------------------------------------------------------------
# Aliases, keyed by the province they name (a former one for "BR-VT"). "Hồ Chí Minh" alone is usually the person,
# so it needs a prefix or a place cue (see _NEEDS_CUE).
_ALIASES = {
    "Hồ Chí Minh": [
        "TP.HCM", "TPHCM", "TP HCM", "TP. HCM", "Tp.HCM", "HCM", "HCMC", "Sài Gòn", "Saigon", "Ho Chi Minh City",
        "Thành phố Hồ Chí Minh", "TP Hồ Chí Minh", "TP. Hồ Chí Minh", "Tp Hồ Chí Minh",
    ],
    "Hà Nội": ["Hanoi", "Ha Noi"],
    "Đà Nẵng": ["Danang"],
    "Huế": ["Thừa Thiên Huế", "Thừa Thiên - Huế", "TT-Huế", "TT Huế", "Thừa Thiên"],
    "Bà Rịa - Vũng Tàu": ["Bà Rịa Vũng Tàu", "Bà Rịa-Vũng Tàu", "BR-VT", "BRVT"],
    "Đắk Lắk": ["Đắc Lắc", "Daklak", "Dak Lak", "Đăk Lăk", "Đắk Lăk", "Đăk Lắk"],  # outlets spell it each way
    "Đắk Nông": ["Đắc Nông", "Dak Nong", "Đăk Nông"],
    "Bắc Kạn": ["Bắc Cạn"],
}
# Well-known cities, districts and landmarks that name their province without a prefix, keyed by the former
# (63-province) name; FORMER_PROVINCES maps them on.
_IMPLIED = {
    "Khánh Hòa": ["Nha Trang", "Cam Ranh"],
    "Kiên Giang": ["Phú Quốc", "Rạch Giá", "Hà Tiên"],
    "Quảng Ninh": ["Hạ Long", "Móng Cái", "Cẩm Phả", "Uông Bí", "Vân Đồn"],
    "Lâm Đồng": ["Đà Lạt", "Bảo Lộc"],
    "Bà Rịa - Vũng Tàu": ["Vũng Tàu", "Côn Đảo"],
    "Đồng Nai": ["Biên Hòa", "Long Thành"],
    "Bình Định": ["Quy Nhơn"],
    "Đắk Lắk": ["Buôn Ma Thuột", "Buôn Mê Thuột"],
    "Quảng Nam": ["Hội An", "Tam Kỳ", "Mỹ Sơn"],
    "Lào Cai": ["Sa Pa", "Sapa", "Fansipan"],
    "Hồ Chí Minh": [
        "Thủ Đức", "Tân Sơn Nhất", "Chợ Rẫy", "Củ Chi", "Cần Giờ", "Bến Thành", "Gò Vấp", "Hóc Môn", "Nhà Bè",
    ],
    "Bình Thuận": ["Phan Thiết", "Mũi Né"],
    "Nghệ An": ["Vinh", "Cửa Lò"],
    "Tiền Giang": ["Mỹ Tho"],
    "Phú Yên": ["Tuy Hòa"],
    "Gia Lai": ["Pleiku"],
    "Bình Dương": ["Thủ Dầu Một", "Dĩ An"],
    "An Giang": ["Long Xuyên", "Châu Đốc"],
    "Ninh Thuận": ["Phan Rang", "Phan Rang - Tháp Chàm"],
    "Thanh Hóa": ["Sầm Sơn"],
    "Điện Biên": ["Điện Biên Phủ"],
    "Hà Nội": ["Nội Bài", "Hoàn Kiếm", "Cầu Giấy", "Hòa Lạc", "Hồ Gươm", "Mỹ Đình"],
    "Đà Nẵng": ["Sơn Trà", "Bà Nà", "Hải Châu"],
    "Hải Phòng": ["Cát Bà", "Đồ Sơn"],
    "Quảng Ngãi": ["Lý Sơn", "Dung Quất"],
    "Sơn La": ["Mộc Châu"],
    # provincial capitals whose name differs from the province's
    "Quảng Trị": ["Đông Hà"],
    "Quảng Bình": ["Đồng Hới"],
    "Đồng Tháp": ["Cao Lãnh", "Sa Đéc"],
    "Phú Thọ": ["Việt Trì"],
    "Hà Nam": ["Phủ Lý"],
    "Vĩnh Phúc": ["Vĩnh Yên"],
    "Bình Phước": ["Đồng Xoài"],
    "Đắk Nông": ["Gia Nghĩa"],
    "Hậu Giang": ["Vị Thanh"],
}
# These need a prefix or a place cue: alone they are mostly a person ("Chủ tịch Hồ Chí Minh", "anh Vinh").
_NEEDS_CUE = {"hồ chí minh", "vinh", "thừa thiên", "long thành", "hải châu"}
# Common words or other things when not clearly a place: in ALL-CAPS text they need "TỈNH"/"TP" in front.
_AMBIGUOUS_IN_CAPS = {"hòa bình", "thái bình", "vinh", "long an", "hà nam"}
_AMBIGUOUS_FOLDED = {fold(name) for name in _AMBIGUOUS_IN_CAPS}
# Phrases that contain a place name but are not about the place (newspapers, the Pacific, verbs). Matched with the
# capitalisation written here (or in ALL CAPS).
_BLOCKERS = [
    "Thái Bình Dương", "Hà Nội Mới", "Sài Gòn Giải Phóng", "Sài Gòn Tiếp Thị", "Tuổi Trẻ TP.HCM",
    "Pháp Luật TP.HCM", "Pháp luật TP.HCM", "Phụ Nữ TP.HCM", "Phụ nữ TP.HCM", "Pháp Luật TPHCM",
    "Vinh danh", "Vinh quang", "Vinh dự", "Vinh hạnh", "Vinh hoa", "Huế Tuấn",
]
# Province-level and district-level prefixes (lower case, as token tuples).
_PREFIX_PROVINCE = {("tỉnh",), ("thành", "phố"), ("tp",), ("thủ", "đô")}
_PREFIX_DISTRICT = {("quận",), ("huyện",), ("thị", "xã"), ("tx",), ("thành", "phố"), ("tp",)}
# A mention right after one of these is a street, a newspaper or a person, not the place.
_BLOCK_BEFORE = {"đường", "phố", "đại lộ", "báo", "phường", "xã", "thị trấn", "tuyến", "tờ", "cao tốc", "quốc lộ",
                 "tỉnh lộ", "p", "x"}
# Titles that open a person's name: "ông Dư Thái Bình", "anh Vinh" are people; "chị Hạnh ở TP.HCM" is a residence.
_PERSON_TITLES = {"ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cụ", "bé", "cháu", "thầy", "nữ", "nam",
                  "nhạc sĩ", "ca sĩ", "tướng", "đồng chí", "họa sĩ", "nhà thơ", "bạn"}
_PERSON_MAX = 4  # syllables of a name between the title and the mention
# Below province level: "huyện Quảng Ninh" is a district, "xã Hòa Bình" a commune, not the provinces.
_PREFIX_LOWER = {("quận",), ("huyện",), ("thị", "xã"), ("tx",), ("xã",), ("phường",), ("p",), ("x",), ("thị", "trấn")}
# Tone-less text is looked up by folded keys: add the folded prefixes ("tinh", "quan", "thanh pho").
for _prefixes in (_PREFIX_PROVINCE, _PREFIX_DISTRICT, _PREFIX_LOWER):
    _prefixes |= {tuple(fold(w) for w in p) for p in _prefixes}
del _prefixes
_PREFIX_ANY = _PREFIX_PROVINCE | _PREFIX_DISTRICT
# "phố Huế" is a street, unless "phố" is part of "đường phố"/"thành phố"/"khu phố"/"dạo phố".
_PHO_OK = {"đường", "thành", "khu", "dạo"}
# Cues that make a body mention count more.
_CUE_BEFORE = {"tại", "ở", "ubnd", "hđnd", "sở", "tỉnh ủy", "thành ủy", "địa bàn", "công an", "chủ tịch ubnd",
               "đến", "tới", "trên địa bàn", "bí thư"}
# Cues that make a mention weak: hometown, comparison, examples, plural "các tỉnh".
_WEAK_BEFORE = {
    "quê", "quê ở", "quê tại", "quê quán", "sinh ra ở", "sinh ra tại", "người gốc",       # hometown
    "trú", "trú tại", "trú ở", "ngụ", "ngụ tại", "ngụ ở",                                  # residence
    "như", "so với", "hơn",                                                                 # comparison, example
    "gồm", "bao gồm", "các tỉnh", "các tỉnh như", "các tỉnh thành", "các thành phố", "các địa phương",
    "các địa phương như",                                                                   # lists
}
# Separators that chain names into a list.
_LIST_SEP = re.compile(r"^\s*(?:,|;|/|-|và|hoặc|cùng)?\s*(?:và\s+)?(?:tỉnh|TP\.?|thành phố)?\s*$", re.IGNORECASE)
# Separators allowed inside one name ("TP.HCM", "Bà Rịa - Vũng Tàu", "BR-VT").
_INNER_SEP = re.compile(r"^(?: |\. ?| ?[-–] ?)$")
# Function words of tone-less Vietnamese: their presence tells tone-less Vietnamese from English.
_TONELESS_VI = {"cua", "va", "cac", "nhung", "duoc", "nguoi", "tai", "la", "trong", "khong", "cho", "voi", "nay",
                "mot", "da", "se", "thanh", "pho", "tinh", "o", "khoi", "nghiep"}

_TOKEN = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?\n]\s")
_VI_DIACRITIC = re.compile(r"[À-ỹĐđ]")
_MAX_NGRAM = 5
_PLACE_CUES = {"tại", "ở", "tai", "o", "đến", "den"}  # "tại Long Thành": the place, not a name


@dataclass(frozen=True)
class ProvinceMatch:
    """One province the article is about, with the forms the text used and how salient it is."""

    name: str
    as_written: tuple[str, ...]
    former: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class _Entry:
    current: str            # current province
    former: str | None      # former province name when the surface form is (or lies in) a merged province
    kind: str               # "province", "alias", "implied", "district", "block"
    needs_prefix: bool = False
    needs_cue: bool = False


@dataclass
class _Gazetteer:
    toned: dict[tuple[str, ...], _Entry] = field(default_factory=dict)
    folded: dict[tuple[str, ...], _Entry] = field(default_factory=dict)
    # districts by name, toned and folded: "huyện Quảng Ninh" is in Quảng Bình, not the province Quảng Ninh
    districts: dict[tuple[str, ...], _Entry] = field(default_factory=dict)
    lookup: dict[str, str] = field(default_factory=dict)   # any spelling (folded, no spaces) -> current name


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(t.lower() for t in _TOKEN.findall(text))


def _load_data() -> tuple[tuple[str, ...], dict[str, str], dict[str, list[tuple[str, str]]]]:
    """Read the package's data: current names, former → current, and former province → [(district type, name)]."""
    data = resources.files("vietnamadminunits") / "data"
    legacy = json.loads((data / "parser_legacy.json").read_text(encoding="utf-8"))
    new = json.loads((data / "parser_from_2025.json").read_text(encoding="utf-8"))
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    current = tuple(v["provinceShort"] for v in new["DICT_PROVINCE"].values())
    legacy_short = {k: v["provinceShort"] for k, v in legacy["DICT_PROVINCE"].items()}
    former = {}
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        for old_key in old_keys:
            former[legacy_short[old_key]] = new["DICT_PROVINCE"][new_key]["provinceShort"]
    districts = {
        legacy_short[pk]: [(d["districtType"], d["districtShort"]) for d in ds.values()]
        for pk, ds in legacy["DICT_PROVINCE_DISTRICT"].items()
    }
    return current, former, districts


_CURRENT, _FORMER, _DISTRICTS = _load_data()
_FORMER["Thừa Thiên Huế"] = _FORMER["Huế"]  # the package already calls it "Huế"; the old name is still common
CURRENT_PROVINCES: tuple[str, ...] = _CURRENT
FORMER_PROVINCES: dict[str, str] = dict(_FORMER)


def _build() -> _Gazetteer:
    gaz = _Gazetteer()

    def add(surface: str, entry: _Entry, *, toneless: bool = True) -> None:
        key = _tokens(normalize(surface))
        if not key:
            return
        old = gaz.toned.get(key)
        # A province name beats a district or city of the same spelling ("thành phố Hà Tĩnh" is in Hà Tĩnh anyway).
        if old is None or _RANK[entry.kind] < _RANK[old.kind]:
            gaz.toned[key] = entry
        if toneless:
            fkey = tuple(fold(" ".join(key)).split())
            old = gaz.folded.get(fkey)
            if old is None or _RANK[entry.kind] < _RANK[old.kind]:
                gaz.folded[fkey] = entry
            elif old.current != entry.current and old.kind == entry.kind:
                gaz.folded[fkey] = _Entry("", None, "block")  # tone-less spelling of two places: ambiguous

    def former_of(name: str) -> str | None:
        return name if _FORMER.get(name) and name not in _CURRENT else None

    # Districts first, keeping only names that point to one current province.
    owners: dict[str, set[str]] = {}
    for prov, units in _DISTRICTS.items():
        for _, short in units:
            owners.setdefault(short, set()).add(prov)
    for short, provs in owners.items():
        if len({_FORMER[p] for p in provs}) != 1:
            continue
        prov = next(iter(provs)) if len(provs) == 1 else _FORMER[next(iter(provs))]
        entry = _Entry(_FORMER[prov], None, "district", needs_prefix=not short.startswith("Quận"))
        add(short, entry)
        key = _tokens(normalize(short))
        gaz.districts[key] = gaz.districts[tuple(fold(" ".join(key)).split())] = entry
    for prov, surfaces in _IMPLIED.items():
        for surface in surfaces:
            add(surface, _Entry(_FORMER[prov], None, "implied",
                                needs_cue=fold(surface) in {fold(s) for s in _NEEDS_CUE}))
    for name, cur in _FORMER.items():
        add(name, _Entry(cur, former_of(name), "province", needs_cue=name.lower() in _NEEDS_CUE))
    for prov, surfaces in _ALIASES.items():
        for surface in surfaces:
            former = former_of(surface) or former_of(prov)
            add(surface, _Entry(_FORMER[prov], former, "alias", needs_cue=surface.lower() in _NEEDS_CUE))
    for surface in _BLOCKERS:
        add(surface, _Entry("", None, "block"), toneless=False)
    # "Hồ Chí Minh" is a province name but alone it is mostly the person.
    gaz.toned[("hồ", "chí", "minh")] = _Entry("Hồ Chí Minh", None, "province", needs_cue=True)
    gaz.folded[("ho", "chi", "minh")] = _Entry("Hồ Chí Minh", None, "province", needs_cue=True)

    for name, cur in _FORMER.items():
        gaz.lookup[_compact(name)] = cur
    for cur in _CURRENT:
        gaz.lookup[_compact(cur)] = cur
    for prov, surfaces in _ALIASES.items():
        for surface in surfaces:
            gaz.lookup[_compact(surface)] = _FORMER[prov]
    return gaz


def _compact(name: str) -> str:
    """The lookup key of a name: folded, without spaces, dots and dashes ("TP. HCM" → "tphcm")."""
    return re.sub(r"[\s.\-–]+", "", fold(name))


_SKIP = _Entry("", None, "block")
_RANK = {"block": 0, "province": 1, "alias": 2, "implied": 3, "district": 4}
_GAZ = _build()
_FIRST_TONED = frozenset(k[0] for k in _GAZ.toned)
_FIRST_FOLDED = frozenset(k[0] for k in _GAZ.folded)
_BLOCKER_CASE = {_tokens(normalize(b)): _TOKEN.findall(normalize(b)) for b in _BLOCKERS}
_NAME_PREFIX = re.compile(r"^(?:tỉnh|thành phố|tp\.?|tx\.?|thị xã)\s+", re.IGNORECASE)


def current_name(name: str) -> str | None:
    """Map any province spelling, former name or alias to the current province.

    >>> current_name("Sài Gòn"), current_name("Quảng Nam"), current_name("Thủ đô")
    ('Hồ Chí Minh', 'Đà Nẵng', None)
    """
    if not isinstance(name, str):
        return None
    key = _compact(_NAME_PREFIX.sub("", normalize(name).strip()))
    if not key:
        return None
    if key in _GAZ.lookup:
        return _GAZ.lookup[key]
    # "TP.HCM" folds to "tphcm"; a leading "tp"/"tinh"/"thanhpho" written without a space.
    for prefix in ("thanhpho", "tinh", "tp"):
        if key.startswith(prefix) and key[len(prefix):] in _GAZ.lookup:
            return _GAZ.lookup[key[len(prefix):]]
    return None


@dataclass
class _Mention:
    start: int           # token index of the first token
    end: int             # token index after the last token
    char_start: int
    char_end: int
    entry: _Entry
    surface: str
    prefixed: bool
    cue: bool = False
    weak: bool = False


def _find(text: str, toneless: bool) -> tuple[list[_Mention], list[str], list[str]]:
    """Scan the tokens left to right, taking the longest gazetteer n-gram at each position.

    Returns the mentions, the tokens as written and their lookup keys (lower-cased, or folded for tone-less text).
    """
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    raw = [text[a:b] for a, b in spans]
    if toneless:
        keys = [fold(t) for t in raw]
        table = _GAZ.folded
        english = not any(k in _TONELESS_VI for k in keys[:400])
    else:
        keys = [t.lower() for t in raw]
        table = _GAZ.toned
        english = False
    n = len(keys)
    firsts = _FIRST_FOLDED if toneless else _FIRST_TONED
    mentions: list[_Mention] = []
    i = 0
    while i < n:
        if keys[i] not in firsts:
            i += 1
            continue
        found = None
        for size in range(min(_MAX_NGRAM, n - i), 0, -1):
            key = tuple(keys[i:i + size])
            entry = table.get(key)
            if entry is None:
                continue
            if any(not _INNER_SEP.match(text[spans[j][1]:spans[j + 1][0]]) for j in range(i, i + size - 1)):
                continue
            if entry.kind == "block":
                case = _BLOCKER_CASE.get(key)
                if case is not None and raw[i:i + size] != case and not all(t.isupper() for t in raw[i:i + size]):
                    continue
            found = (size, entry)
            break
        if found is None:
            i += 1
            continue
        size, entry = found
        words = raw[i:i + size]
        if entry.kind != "block" and (toneless and not english or _capitalised(words)):
            prefixed = _prefix(keys, i, _PREFIX_DISTRICT if entry.kind == "district" else _PREFIX_ANY)
            lower = _prefix(keys, i, _PREFIX_LOWER) and not _prefix(keys, i, _PREFIX_PROVINCE)
            if entry.kind != "district" and lower:
                # "huyện Quảng Ninh", "thị xã Quảng Trị": the district of that name, or nothing if it is unknown
                entry = _GAZ.districts.get(tuple(keys[i:i + size]), _SKIP)
            if entry.kind != "block" and _allowed(keys, i, entry, prefixed, words) and not _person(raw, keys, i):
                a, b = spans[i][0], spans[i + size - 1][1]
                mentions.append(_Mention(i, i + size, a, b, entry, text[a:b], prefixed))
        i += size
    return mentions, raw, keys


def _capitalised(words: list[str]) -> bool:
    """Toned (and English) text must capitalise a name: "Hòa Bình", not "hòa bình"; "quận 3" is fine."""
    if words[0].lower() == "quận":
        words = words[1:]
    return all(w[:1].isupper() or w[:1].isdigit() for w in words)


def _person(raw: list[str], keys: list[str], i: int) -> bool:
    """True when the mention ends a person's name or follows one ("ông Dư Thái Bình", "anh Vinh")."""
    j = i - 1
    while j >= 0 and i - j <= _PERSON_MAX and raw[j][:1].isupper() and keys[j] not in _PERSON_TITLES:
        j -= 1
    if j < 0 or j == i - 1 and keys[j] not in _PERSON_TITLES:
        return False
    return keys[j] in _PERSON_TITLES or (j >= 1 and f"{keys[j - 1]} {keys[j]}" in _PERSON_TITLES)


def _prefix(keys: list[str], i: int, prefixes: set[tuple[str, ...]]) -> bool:
    return (i >= 1 and (keys[i - 1],) in prefixes) or (i >= 2 and (keys[i - 2], keys[i - 1]) in prefixes)


def _allowed(keys: list[str], i: int, entry: _Entry, prefixed: bool, words: list[str]) -> bool:
    """Context rules: districts need a prefix; streets, newspapers and person names are skipped."""
    if entry.kind == "district" and entry.needs_prefix and not prefixed:
        return False
    if entry.needs_cue and not prefixed and not (i >= 1 and keys[i - 1] in _PLACE_CUES):
        return False
    caps = all(w.isupper() for w in words)
    if caps and fold(" ".join(words)) in _AMBIGUOUS_FOLDED and not prefixed:
        return False
    if not prefixed and i >= 1:
        before = keys[i - 1]
        before2 = " ".join(keys[i - 2:i]) if i >= 2 else ""
        if before == "phố" and i >= 2 and keys[i - 2] in _PHO_OK:
            return True
        if before in _BLOCK_BEFORE or before2 in _BLOCK_BEFORE or fold(before) in {"duong", "pho", "bao"}:
            return False
    return True


def _mark_context(text: str, raw: list[str], keys: list[str], mentions: list[_Mention]) -> None:
    """Flag cue (admin/place) and weak (hometown, comparison, list, a person's residence) mentions."""
    for m in mentions:
        # Read the words before the prefix ("tại tỉnh X" → "tại").
        s = m.start
        if m.prefixed:
            s -= 2 if s >= 2 and (keys[s - 2], keys[s - 1]) in _PREFIX_ANY else 1
        before = {" ".join(keys[max(0, s - k):s]) for k in (1, 2, 3)}
        # "chị Hạnh ở TP.HCM", "chị L. (Hà Nội)": where a quoted person lives, not where the news happens.
        residence = s >= 1 and (
            keys[s - 1] in {"ở", "tại", "o", "tai"} and _person(raw, keys, s - 1)
            or text[max(0, m.char_start - 8):m.char_start].rstrip(" TP.").endswith("(") and _person(raw, keys, s)
        )
        if residence or before & _WEAK_BEFORE:
            m.weak = True
        elif m.prefixed or before & _CUE_BEFORE:
            m.cue = True
    # Chains of names joined by commas/"và": a list of LIST_MIN or more is weak; a chain opened by a weak cue is weak.
    chain: list[_Mention] = []

    def close() -> None:
        if len({c.entry.current for c in chain}) >= LIST_MIN or (chain and chain[0].weak and len(chain) > 1):
            for c in chain:
                c.weak = True

    for m in mentions:
        if chain and _LIST_SEP.match(text[chain[-1].char_end:m.char_start]):
            chain.append(m)
        else:
            close()
            chain = [m]
    close()


_ORG_BEFORE = {"công ty", "cty", "tập đoàn", "ngân hàng", "đại học", "đh", "trường", "bệnh viện", "bv", "báo", "đài",
               "clb", "câu lạc bộ", "hãng", "siêu thị", "hội", "nhà máy", "khách sạn", "quỹ", "viện", "học viện"}
_OPENING_PREFIX = re.compile(r"^\s*(?:(?:tp|tỉnh|thành phố)\.?\s*)?$", re.IGNORECASE)
_DATELINE = re.compile(r"\s*(?:\([^)]{1,40}\)\s*)?[-–—:]")  # "TP.HCM - ...", "Đà Nẵng (Dân trí) – ..."


@dataclass
class Candidate:
    """A province the text names, with what a reader weighs: where and how it is named (`features`), and the
    hand-set salience score of the mentions (`hand_score`, see the weights at the top)."""

    name: str
    as_written: tuple[str, ...]
    former: tuple[str, ...]
    hand_score: float
    features: dict[str, float]


FEATURES = ("title", "lead", "body_cue", "body", "weak", "implied", "org", "dateline", "prefixed", "cue", "mentions",
            "first_position", "last_position", "spread", "share", "relative_hand_score", "hand_score", "candidates",
            "log_length", "short_text")


def candidates(title: str, body: str, lead: str = "") -> list[Candidate]:
    """Every province the article names, with its salience features: ``[c.name for c in candidates("Đà Nẵng mở
    trung tâm khởi nghiệp", "")]`` → ``['Đà Nẵng']``."""
    title = normalize(title) if isinstance(title, str) else ""
    body = normalize(body) if isinstance(body, str) else ""
    lead = normalize(lead) if isinstance(lead, str) else ""
    if not lead and body:
        # The first sentence stands in for a missing lead.
        end = _SENTENCE_END.search(body, LEAD_CHARS)
        cut = end.end() if end else len(body)
        lead, body = body[:cut], body[cut:]
    text = f"{title}\n{lead}\n{body}"
    title_end, lead_end = len(title), len(title) + 1 + len(lead)
    toneless = not _VI_DIACRITIC.search(text)
    mentions, raw, keys = _find(text, toneless)
    if not mentions:
        return []
    _mark_context(text, raw, keys, mentions)
    by_name: dict[str, list[_Mention]] = {}
    for m in mentions:
        by_name.setdefault(m.entry.current, []).append(m)
    scores = {name: sum(_weight(m, title_end, lead_end) for m in group) for name, group in by_name.items()}
    best = max(scores.values())
    out = []
    for name, group in by_name.items():
        count = {"title": 0, "lead": 0, "body_cue": 0, "body": 0, "weak": 0, "implied": 0, "org": 0, "dateline": 0,
                 "prefixed": 0, "cue": 0, "mentions": len(group)}
        for m in group:
            place = "title" if m.char_start < title_end else "lead" if m.char_start < lead_end else "body"
            if m.weak:
                count["weak"] += 1
            else:
                count["body_cue" if place == "body" and m.cue else place] += 1
            count["implied"] += m.entry.kind in ("implied", "district")
            count["prefixed"] += m.prefixed
            count["cue"] += m.cue
            before = {" ".join(keys[max(0, m.start - k):m.start]) for k in (1, 2, 3)}
            count["org"] += bool(before & _ORG_BEFORE)
            opening = title_end + 1 if place == "lead" else lead_end + 1 if place == "body" else 0
            count["dateline"] += (place != "title" and m.char_start - opening <= 16  # "Thành phố " at most
                                  and bool(_OPENING_PREFIX.match(text[opening:m.char_start]))
                                  and bool(_DATELINE.match(text, m.char_end)))
        features = {k: float(v) for k, v in count.items()}
        features.update(
            first_position=group[0].char_start / len(text), last_position=group[-1].char_start / len(text), spread=(group[-1].char_start - group[0].char_start) /
            len(text), share=len(group) / len(mentions), relative_hand_score=scores[name] / best,
            hand_score=min(1.0, scores[name]), candidates=float(len(by_name)), log_length=math.log(len(text)),
            short_text=float(len(text) < 800),
        )
        written = tuple(dict.fromkeys(m.surface for m in group))
        former = tuple(dict.fromkeys(m.entry.former for m in group if m.entry.former))
        out.append(Candidate(name, written, former, round(min(1.0, scores[name]), 3), features))
    return out


def _weight(m: _Mention, title_end: int, lead_end: int) -> float:
    if m.weak:
        w = W_WEAK
    elif m.char_start < title_end:
        w = W_TITLE
    elif m.char_start < lead_end:
        w = W_LEAD
    else:
        w = W_BODY_CUE if m.cue else W_BODY
    return w * IMPLIED_FACTOR if m.entry.kind in ("implied", "district") else w


def tag_provinces(title: str, body: str, lead: str = "", salience=None) -> list[ProvinceMatch]:
    """The provinces an article is about, best first: ``tag_provinces("Đà Nẵng mở trung tâm khởi nghiệp", "")``.

    With `salience` (a models.salience.SalienceModel, learned from labeled real articles) a named province is
    tagged when the model's probability reaches its threshold; without, by the hand-set weights above."""
    return tag_many_provinces([(title, body, lead)], salience)[0]


def tag_many_provinces(texts: list[tuple[str, str, str]], salience=None) -> list[list[ProvinceMatch]]:
    """`tag_provinces` for a batch of (title, body, lead): one call of the salience model for all of them (its
    per-call cost is far above its per-row cost)."""
    found = [candidates(title, body, lead) for title, body, lead in texts]
    if salience is not None:
        flat = salience.probabilities([c.features for group in found for c in group])
        scores, at = [], 0
        for group in found:
            scores.append(flat[at:at + len(group)])
            at += len(group)
        chosen = [[(c, p) for c, p in zip(group, s) if p >= salience.threshold] for group, s in zip(found, scores)]
    else:
        chosen = [[(c, c.hand_score) for c in group if c.hand_score >= TAG_THRESHOLD
                   and c.features["relative_hand_score"] >= RELATIVE_MIN] for group in found]
    out = []
    for pairs in chosen:
        result = [ProvinceMatch(c.name, c.as_written, c.former, round(float(p), 3)) for c, p in pairs]
        result.sort(key=lambda m: (-m.score, m.name))
        out.append(result)
    return out
