"""Tests of the province tagger: names, aliases, former provinces, districts, salience, odd inputs, the dev set."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from models.provinces import (
    CURRENT_PROVINCES,
    FORMER_PROVINCES,
    ProvinceMatch,
    current_name,
    tag_provinces,
)

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def names(title: str, body: str = "", lead: str = "") -> list[str]:
    return [m.name for m in tag_provinces(title, body, lead)]


def test_tables_come_from_the_package():
    assert len(CURRENT_PROVINCES) == 34
    assert len(set(CURRENT_PROVINCES)) == 34
    assert "Hồ Chí Minh" in CURRENT_PROVINCES and "Huế" in CURRENT_PROVINCES
    assert len(FORMER_PROVINCES) == 64  # the 63 former names and "Thừa Thiên Huế"
    assert set(FORMER_PROVINCES.values()) == set(CURRENT_PROVINCES)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("da nang", "Đà Nẵng"),
        ("Đà Nẵng", "Đà Nẵng"),
        ("TPHCM", "Hồ Chí Minh"),
        ("TP.HCM", "Hồ Chí Minh"),
        ("TP. Hồ Chí Minh", "Hồ Chí Minh"),
        ("Sài Gòn", "Hồ Chí Minh"),
        ("Bình Dương", "Hồ Chí Minh"),
        ("Bà Rịa - Vũng Tàu", "Hồ Chí Minh"),
        ("Quảng Nam", "Đà Nẵng"),
        ("Ninh Thuận", "Khánh Hòa"),
        ("Kiên Giang", "An Giang"),
        ("Thừa Thiên Huế", "Huế"),
        ("tỉnh Hoà Bình", "Phú Thọ"),       # old tone placement
        ("Thành phố Hà Nội", "Hà Nội"),
        ("ha noi", "Hà Nội"),
        (unicodedata.normalize("NFD", "Cần Thơ"), "Cần Thơ"),
        ("Thủ đô", None),                   # refers to Hà Nội in context, but it is not a name
        ("Paris", None),
        ("", None),
        ("😀", None),
    ],
)
def test_current_name(name, expected):
    assert current_name(name) == expected


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        # aliases and former names map to the current province
        ("UBND TP.HCM họp bàn về kinh tế số", "", ["Hồ Chí Minh"]),
        ("Giá nhà ở TPHCM tăng", "", ["Hồ Chí Minh"]),
        ("Người dân Sài Gòn đón Tết", "", ["Hồ Chí Minh"]),
        ("Thanh niên TP HCM khởi nghiệp", "", ["Hồ Chí Minh"]),
        ("Trung tâm khởi nghiệp mới ở Đà Nẵng", "Ngày hội diễn ra tại TP.HCM.", ["Đà Nẵng", "Hồ Chí Minh"]),
        ("Ninh Thuận phát triển điện gió", "", ["Khánh Hòa"]),
        ("Thừa Thiên Huế số hóa di sản", "", ["Huế"]),
        ("BR-VT thu hút đầu tư cảng biển", "", ["Hồ Chí Minh"]),
        # cities, districts and landmarks
        ("Du khách đổ về Phú Quốc dịp lễ", "", ["An Giang"]),
        ("Nha Trang mở thêm tuyến xe buýt điện", "", ["Khánh Hòa"]),
        ("Mở quán cà phê ở quận Hải Châu", "", ["Đà Nẵng"]),
        ("Cháy cửa hàng điện nước ở Đăk Lăk", "", ["Đắk Lắk"]),  # the spellings outlets use
        ("Đắk Lăk hỗ trợ nông dân vùng lũ", "", ["Đắk Lắk"]),
        ("Long Thành Group công bố kết quả kinh doanh", "", []),  # alone, "Long Thành" is also a name
        ("Huyện Quảng Ninh có trường học mới", "", ["Quảng Trị"]),   # the district of Quảng Bình, not the province
        ("Nông dân Hòa Bình trồng cam", "", ["Phú Thọ"]),
        # "hòa bình" the word, in a sentence and in an ALL-CAPS title
        ("Hòa bình là khát vọng chung", "", []),
        ("HÒA BÌNH LÀ KHÁT VỌNG CHUNG", "", []),
        ("UBND TỈNH HÒA BÌNH PHÁT ĐỘNG CUỘC THI", "", ["Phú Thọ"]),
        ("Tàu chở hàng vượt Thái Bình Dương", "", []),
        # newspapers, streets, people
        ("Báo Đà Nẵng ra mắt ứng dụng đọc tin", "", []),
        ("Tạp chí Hà Nội Mới tròn 65 năm", "", []),
        ("Quán phở nổi tiếng trên đường Hà Nội", "", []),
        ("Chủ tịch Hồ Chí Minh với thanh niên", "", []),
        ("Ông Lê Thái Bình nhận giải thưởng", "", []),
        ("Vinh danh 50 doanh nghiệp tiêu biểu", "", []),
        # passing mentions: hometown, residence, list of provinces, aside in a long body
        ("Kỹ sư trẻ quê Nghệ An chế tạo robot", "", []),
        ("Chị Mai ở Hà Nội chia sẻ kinh nghiệm mua sắm", "", []),
        (
            "Bộ Y tế ban hành hướng dẫn mới",
            "Thời gian qua, các tỉnh Lào Cai, Sơn La, Điện Biên, Lai Châu và Hà Giang đã triển khai thí điểm.",
            [],
        ),
        (
            "Chính phủ ban hành nghị định về dữ liệu",
            "Nghị định áp dụng trên cả nước. " * 20 + "Một chuyên gia từng làm việc tại Cần Thơ cho biết như vậy. "
            + "Các bộ sẽ hướng dẫn thi hành. " * 10,
            [],
        ),
        # tone-less text matches folded names, at word boundaries only
        ("khoi nghiep o da nang", "cac startup tai da nang dang goi von", ["Đà Nẵng"]),
        ("startup ha noi goi von thanh cong", "", ["Hà Nội"]),
        ("chanoi khong phai ten tinh", "", []),
        ("Startup in Ho Chi Minh City raises funds", "The firm is based in Saigon.", ["Hồ Chí Minh"]),
        # un-normalized input
        ("<p>UBND <b>TP.HCM</b> họp</p>", "<script>var x = 'Hà Nội';</script>", ["Hồ Chí Minh"]),
        (unicodedata.normalize("NFD", "Khởi nghiệp ở Cần Thơ"), "", ["Cần Thơ"]),
        ("Hoà Bình phát triển du lịch", "", ["Phú Thọ"]),
    ],
)
def test_tag_provinces(title, body, expected):
    assert names(title, body) == expected


def test_match_fields():
    (match,) = tag_provinces("TP.HCM và Bình Dương kết nối hạ tầng", "Bình Dương nay thuộc TP.HCM.")
    assert match == ProvinceMatch(
        name="Hồ Chí Minh", as_written=("TP.HCM", "Bình Dương"), former=("Bình Dương",), score=match.score
    )
    assert 0.0 < match.score <= 1.0


def test_best_first():
    result = tag_provinces("Đà Nẵng hợp tác với Huế", "UBND TP Đà Nẵng cho biết thỏa thuận gồm ba lĩnh vực.")
    assert [m.name for m in result] == ["Đà Nẵng", "Huế"]
    assert result[0].score > result[1].score


def test_lead_counts():
    assert names("Hội nghị khởi nghiệp toàn quốc", "", lead="Hội nghị diễn ra sáng nay tại Cần Thơ.") == ["Cần Thơ"]


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("", ""),
        ("😀🔥🎉", "👍" * 1000),
        ("<<<>>>&&&;", "<div><p>&nbsp;</p>"),
        ("\x00\x01\u200b", "\ufeff"),
        ("Breaking: markets rally in New York", "Stocks rose on Monday as investors cheered."),
        ("Tin", "Người dân ở Đà Nẵng tham gia khởi nghiệp. " * 25000),  # about 1 MB
    ],
)
def test_never_raises(title, body):
    result = tag_provinces(title, body)
    assert isinstance(result, list)
    assert all(isinstance(m, ProvinceMatch) and 0.0 <= m.score <= 1.0 for m in result)


def test_one_megabyte_body():
    assert names("Tin", "Người dân ở Đà Nẵng tham gia khởi nghiệp. " * 25000) == ["Đà Nẵng"]


def _f1(path: Path) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold = {current_name(g) for g in row["provinces"]}
        pred = set(names(row["title"], row["body"]))
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return precision, recall, 2 * precision * recall / max(1e-9, precision + recall)


@pytest.mark.slow
def test_dev_set_f1():
    path = DATA / "dev-labeled.jsonl"
    if not path.exists():
        pytest.skip(f"no dev set at {path}: the shared data folder is absent")
    precision, recall, f1 = _f1(path)
    assert f1 >= 0.88, f"P={precision:.3f} R={recall:.3f} F1={f1:.3f}"


@pytest.mark.slow
def test_seed_articles_exact():
    path = DATA / "seeds-labeled.jsonl"
    if not path.exists():
        pytest.skip(f"no seed set at {path}: the shared data folder is absent")
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert set(names(row["title"], row["body"])) == {current_name(g) for g in row["provinces"]}, row["title"]
