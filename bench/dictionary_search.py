"""Dictionary search at 50,000 entries: the server's time per search (issue 13's figure).

Not a test: run it by hand (`make` does not).

    .venv/bin/python bench/dictionary_search.py [--entries 50000] [--rounds 20]
    .venv/bin/python bench/dictionary_search.py --database-url \\
        postgresql+psycopg://user:pw@127.0.0.1/scratch   # a scratch database: emptied first

It fills one language's dictionary with generated entries (headwords of one to three
syllables in the Tày-Nùng spelling, one to three Vietnamese meanings with diacritics, an example
in one entry of four) through the importer's own saving code, then times `queries.search` — the
page's query, one page of 30 and its count — for searches of each kind: an exact headword, a
headword prefix, a Vietnamese meaning word typed with and without diacritics, two words, a rare
word and one that matches nothing. It prints p50 and p95 per kind and overall, the statements
each search sends, and exits 1 when the overall p50 is not under 20 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, text  # noqa: E402

from bench.scratch import scratch_url  # noqa: E402
from lms import create_app  # noqa: E402
from lms.db import db  # noqa: E402
from lms.dictionary import queries, services  # noqa: E402

TARGET_MS = 20.0
ONSETS = ["", "b", "c", "ch", "d", "đ", "h", "k", "kh", "l", "m", "n", "ng", "nh", "p", "ph"]
ONSETS += ["s", "sl", "t", "th", "tr", "v", "x", "q"]
RHYMES = ["a", "ai", "an", "ang", "ao", "au", "âu", "ăn", "e", "ên", "i", "in", "inh", "o", "oọng"]
RHYMES += ["ông", "u", "ua", "ư", "ươi", "ây", "ết", "ắc", "ành", "ọc", "ùa", "ỏi", "ẻo", "ít"]
# Vietnamese words the generated meanings are made of.
VOCABULARY = """
ăn uống ngủ đi về nhà cửa ruộng nương trâu bò gà vịt lợn cá nước sông suối núi rừng cây lá hoa
quả gạo cơm rau muối mẹ cha ông bà anh chị em con cháu bạn làng bản chợ trường học đọc viết nói
nghe hát múa làm việc mưa nắng gió trời đất sáng tối ngày đêm năm tháng một hai ba bốn năm sáu
bảy tám chín mười trăm nghìn đẹp xấu tốt cao thấp dài ngắn to nhỏ nóng lạnh vui buồn khỏe mệt
đau thương nhớ yêu ghét biết hiểu quên
"""
MEANINGS = tuple(VOCABULARY.split())


def headword(rng: random.Random) -> str:
    return " ".join(
        rng.choice(ONSETS) + rng.choice(RHYMES) for _ in range(rng.choice((1, 1, 2, 2, 3)))
    )


def fill(entries: int, seed: int) -> list[services.EntryData]:
    rng = random.Random(seed)
    rows = []
    for number in range(entries):
        word = headword(rng)
        meanings = [
            " ".join(rng.sample(MEANINGS, rng.choice((1, 2)))) for _ in range(rng.choice((1, 2, 3)))
        ]
        example = [[f"{word} {headword(rng)}", f"{meanings[0]} {rng.choice(MEANINGS)}"]]
        rows.append(
            services.EntryData(
                number=number + 2,
                language="tyz",
                key=f"m-{number}",
                headword=word,
                meanings=meanings,
                part_of_speech=rng.choice(services.PARTS_OF_SPEECH),
                examples=example if number % 4 == 0 else [],
                dialect="",
                transcription="",
                source="Bộ mục từ sinh ngẫu nhiên để đo tốc độ",
                source_page="",
            )
        )
    return rows


def searches(rows: list[services.EntryData], rng: random.Random) -> dict[str, list[str]]:
    sample = rng.sample(rows, 40)
    return {
        "exact headword": [row.headword for row in sample[:10]],
        "headword prefix": [row.headword.split()[0][:2] for row in sample[10:20]],
        "meaning (diacritics)": [row.meanings[0].split()[0] for row in sample[20:30]],
        "meaning (none)": [
            services.headword_key(row.meanings[0].split()[0]) for row in sample[30:40]
        ],
        "two words": ["an uong", "nha cua", "ma ngu", "ban lang", "con ca"],
        "nothing": ["zzz", "xyzw", "qqqq"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = scratch_url(args.database_url, tmp, "dictionary")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            rows = fill(args.entries, args.seed)
            for start in range(0, len(rows), 5000):
                services.save_rows(rows[start : start + 5000])
                db.session.commit()
            # The statistics a live database keeps (autovacuum, or SQLite's optimize) are
            # gathered once, so the planner sees the tables as they are, not as created empty.
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            print(
                f"{args.entries:,} entries saved in {time.perf_counter() - started:.0f} s "
                f"({url.split(':')[0]})"
            )
            statements: list[str] = []
            event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
            kinds = searches(rows, random.Random(args.seed))
            timings: dict[str, list[float]] = {kind: [] for kind in kinds}
            counts: set[int] = set()
            for _round in range(args.rounds):
                for kind, texts in kinds.items():
                    for text_ in texts:
                        statements.clear()
                        begin = time.perf_counter()
                        page = queries.search("tyz", text_)
                        timings[kind].append((time.perf_counter() - begin) * 1000)
                        counts.add(len(statements))
                        assert kind == "nothing" or page.total > 0, (kind, text_)
                        db.session.rollback()
    print(f"{'search':22} {'p50 ms':>8} {'p95 ms':>8}")
    every = []
    for kind, times in timings.items():
        every += times
        p95 = statistics.quantiles(times, n=20)[18]
        print(f"{kind:22} {statistics.median(times):8.2f} {p95:8.2f}")
    overall = statistics.median(every)
    print(f"{'all':22} {overall:8.2f} {statistics.quantiles(every, n=20)[18]:8.2f}")
    print(
        f"statements per search: {sorted(counts)}; target p50 < {TARGET_MS:.0f} ms: "
        f"{'ok' if overall < TARGET_MS else 'FAIL'}"
    )
    return 0 if overall < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
