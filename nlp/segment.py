"""Sentence splitting and word segmentation with underthesea's CRF, with its known faults mended.

underthesea glues punctuation and abbreviations across sentence ends ("TPHCM. Hôm nay") and joins an abbreviation
with its neighbour ("KH&CN TP.HCM" as one word). We split sentences ourselves, run the CRF one sentence at a time,
and force abbreviations (TP.HCM, TP HCM, KH&CN, ĐMST, UBND...) to be whole words of their own.
"""

from __future__ import annotations

import re
import threading

from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize

from nlp.normalize import normalize

_UPPER = "A-ZĐÀ-ỸÁÉÍÓÚÝ"
# Abbreviations that must not end a sentence when followed by a dot and a capital ("TP. Hồ Chí Minh", "GS. Nguyễn").
_NO_BREAK_BEFORE = re.compile(r"(?:\b(?:TP|Tp|tp|TX|Q|P|TS|ThS|PGS|GS|BS|KS|NXB|St|Mr|Mrs|Ms|Dr|TT|Th|ông|bà)|\b[A-ZĐ])\.$")
_SENTENCE_END = re.compile(r"([.!?…]+[\"'”’»)\]]*)\s+(?=[\"'“‘«(\[]?[0-9" + _UPPER + r"])")
# Spellings the regex tokenizer would cut in two: "TP HCM", "TP. HCM", "Tp.HCM", "KH,CN&ĐMST".
_PROTECTED = re.compile(
    r"\b(?:T[Pp]\.?\s?H[Cc][Mm]|TPHCM|HCMC|[A-ZĐ]{1,5}(?:[,.\-&][A-ZĐ]{1,5})*&[A-ZĐ]{1,5})\b"
)
_ABBREVIATION = re.compile(
    r"^(?:[A-ZĐ]{1,6}(?:[.&,\-][A-ZĐ]{1,6})+\.?|[A-ZĐ]{2,}\d*\.?|T[Pp]\.?\s?H[Cc][Mm]\.?|HCMC\.?)$"
)

_model = None
_model_lock = threading.Lock()


def _crf():
    """The CRF tagger, loaded once (underthesea's own lazy global has no lock)."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                from os.path import dirname, join

                import underthesea.pipeline.word_tokenize as wt
                from underthesea.models.fast_crf_sequence_tagger import FastCRFSequenceTagger

                model = FastCRFSequenceTagger()
                model.load(join(dirname(wt.__file__), "models", "ws_crf_vlsp2013_20230727"))
                _model = model
    return _model


def load() -> None:
    """Load the segmentation model now, before serving requests, instead of on the first call."""
    _crf()


def sentences(text: str) -> list[str]:
    """Split normalized text into sentences: paragraphs first, then sentence-final punctuation before a capital.

    >>> sentences("Sở KH&CN TP. Hồ Chí Minh họp. Hôm nay trời đẹp!")
    ['Sở KH&CN TP. Hồ Chí Minh họp.', 'Hôm nay trời đẹp!']
    """
    out: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        start = 0
        for match in _SENTENCE_END.finditer(paragraph):
            head = paragraph[start : match.end(1)].strip()
            if _NO_BREAK_BEFORE.search(head.rstrip("\"'”’»)]")):
                continue
            if head:
                out.append(head)
            start = match.end()
        tail = paragraph[start:].strip()
        if tail:
            out.append(tail)
    return out


def _tokens(sentence: str) -> list[str]:
    spans = [(m.start(), m.end()) for m in _PROTECTED.finditer(sentence)]
    if not spans:
        return tokenize(sentence, use_token_normalize=False)
    tokens: list[str] = []
    cursor = 0
    for start, end in spans:
        tokens += tokenize(sentence[cursor:start], use_token_normalize=False)
        tokens.append(sentence[start:end])
        cursor = end
    tokens += tokenize(sentence[cursor:], use_token_normalize=False)
    return tokens


def segment_sentence(sentence: str) -> list[str]:
    """Words of one sentence; multi-syllable words keep their inner spaces: ``['Trí tuệ', 'nhân tạo']``."""
    tokens = _tokens(sentence)
    if not tokens:
        return []
    # A sentence-final abbreviation swallows the full stop ("TPHCM."): give the stop back.
    last = tokens[-1]
    if len(last) > 2 and last.endswith(".") and _ABBREVIATION.match(last):
        tokens[-1:] = [last[:-1], "."]
    tags = _crf().predict([[t] for t in tokens])
    words: list[str] = []
    previous_whole = True
    for tag, token in zip(tags, tokens):
        whole = bool(_ABBREVIATION.match(token)) or not any(c.isalnum() for c in token)
        if tag == "I-W" and words and not whole and not previous_whole:
            words[-1] += " " + token
        else:
            words.append(token)
        previous_whole = whole
    return words


def segment(text: str, *, normalized: bool = False) -> list[str]:
    """Words of a whole text, sentence by sentence.

    >>> segment("Sở KH&CN TP.HCM tổ chức cuộc thi khởi nghiệp tại TPHCM. Hôm nay")
    ['Sở', 'KH&CN', 'TP.HCM', 'tổ chức', 'cuộc', 'thi', 'khởi nghiệp', 'tại', 'TPHCM', '.', 'Hôm nay']
    """
    if not normalized:
        text = normalize(text)
    words: list[str] = []
    for sentence in sentences(text):
        words += segment_sentence(sentence)
    return words
