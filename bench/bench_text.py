"""Speed of the comment analysis: mask and tag 100,000 comments (target ≤ 2 s on the 2-core machine).

Usage::

    python bench/bench_text.py [--n 100000] [--rounds 3] [--write]

The comments are generated from 后勤 phrases (area words, complaints, praise, suggestions, room
numbers, prices, dates) and one in ten carries personal data (a mobile number, QQ, ID number,
e-mail or a labelled 学号). A serial number in every comment makes each one distinct, so the
repeat cache of ``analyse_texts`` never helps (real open answers repeat a lot: 无, 没有 …, so this
is the slow case). Timed, median of ``--rounds`` after one warm-up (rjieba's dictionary load):

1. ``mask_pii`` alone over all comments;
2. ``analyse_texts``: masking, segmentation with the lexicon, area tags, tone, record keywords;
3. ``area_keywords`` (log-odds per area) over the analysed comments.

``--write`` replaces the "Text" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from _results import stamp, write_section  # noqa: E402

from analysis.text import analyse_texts, area_keywords, mask_pii  # noqa: E402

SUBJECTS = ["宿舍", "食堂", "二食堂", "开水房", "洗衣房", "班车", "校医院", "快递柜", "教学楼卫生间", "宿舍楼道", "图书馆",
            "维修师傅", "保安", "草坪", "浴室", "空调", "热水器", "门禁", "电梯", "保洁阿姨"]
PROBLEMS = ["太贵了", "经常坏", "没有热水", "排队太久", "很脏", "不够用", "报修后没人来修", "态度很好", "很干净，谢谢",
            "晚上十点就关门", "服务不错", "太远了，很不方便", "味道一般", "噪音太大", "总是漏水"]
TAILS = ["", "，希望改进", "，建议增加窗口", "，希望尽快处理", "。", "，已经反映过三次", "，非常感谢"]
PLACES = ["3号楼312室", "12栋405", "东校区", "南校区", "7号楼", ""]
PII = ["电话13577889900", "QQ：12345678", "身份证420102199001011234", "邮箱zhang@example.edu.cn", "学号2019012345",
       "手机 135-7788-9900"]


def make_comments(n: int, seed: int = 13) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        parts = [rng.choice(PLACES), rng.choice(SUBJECTS), rng.choice(PROBLEMS), rng.choice(TAILS)]
        if rng.random() < 0.1:
            parts.append("，" + rng.choice(PII))
        parts.append(f"（第{i}条）")
        out.append("".join(parts))
    return out


def _time(fn, rounds: int) -> tuple[float, list[float], float]:
    """Median wall seconds, every round's wall seconds, median CPU seconds (after one warm-up)."""
    fn()  # warm-up
    times, cpu = [], []
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(times), times, statistics.median(cpu)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--write", action="store_true", help="replace the Text section of bench/RESULTS.md")
    args = ap.parse_args(argv)

    comments = make_comments(args.n)
    n_chars = sum(map(len, comments))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    from analysis.text.analyse import _segmenter
    from analysis.text.lexicon import shipped_lexicon

    cut = _segmenter(shipped_lexicon()).cut
    cut_s, cut_all, cut_cpu = _time(lambda: [cut(c) for c in comments], args.rounds)
    mask_s, mask_all, mask_cpu = _time(lambda: [mask_pii(c) for c in comments], args.rounds)
    done = {}

    def run_analyse():
        done["df"] = analyse_texts(comments)

    analyse_s, analyse_all, analyse_cpu = _time(run_analyse, args.rounds)
    df = done["df"]
    kw_s, kw_all, kw_cpu = _time(lambda: area_keywords(df["text"].tolist(), df["areas"].tolist()), args.rounds)
    n_masked = int(df["n_masked"].sum())
    tagged = float((df["areas"].map(len) > 0).mean())
    ok = "yes" if analyse_s <= 2.0 else "**no**"
    rows = [
        ("rjieba cut alone (reference)", cut_s, cut_all, cut_cpu),
        ("mask_pii (masking only)", mask_s, mask_all, mask_cpu),
        ("analyse_texts (mask + segment + areas + tone + keywords)", analyse_s, analyse_all, analyse_cpu),
        ("area_keywords (log-odds per area)", kw_s, kw_all, kw_cpu),
    ]
    body = [stamp(), "",
            f"{args.n:,} distinct generated comments ({n_chars / args.n:.1f} characters on average; {n_masked:,} "
            f"personal-data items masked; {tagged:.0%} tagged with an area); median of {args.rounds} rounds after a "
            f"warm-up; load average (1 min) at the start {load:.1f} on {os.cpu_count()} cores.", "",
            "| step | median wall s | rounds wall s | median CPU s | per comment µs (wall) | × rjieba cut (CPU) |",
            "|---|---:|---:|---:|---:|---:|"]
    for name, med, all_, cpu in rows:
        body.append(f"| {name} | {med:.2f} | {' / '.join(f'{x:.2f}' for x in all_)} | {cpu:.2f} | "
                    f"{med / args.n * 1e6:.1f} | {cpu / cut_cpu:.1f} |")
    body += ["", f"Target: tag and mask {args.n:,} comments in ≤ 2 s — met: {ok}."]
    text = "\n".join(body)
    print(text)
    if args.write:
        write_section("bench_text", "Text: masking and tagging comments (bench/bench_text.py)", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
