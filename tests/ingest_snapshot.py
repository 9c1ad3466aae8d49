"""What ingest makes of every fixture, written down so that a reshaping of the pipeline can be checked.

For each file: the Survey (format, encoding, columns, row numbers, warnings, every value), the suggested
codebook, the Dataset (answers, items, respondents, texts, importance, flags, warnings), what the store
keeps (n_responses, n_valid, the wave loaded back) and the CLI's ``summary --json``. Values are written
as text (``None`` for NA, ISO text for times), with each column's dtype, so "the same outputs" means the
same text.

Usage::

    python -m tests.ingest_snapshot                       # rewrite tests/data/ingest_snapshot.json
    python -m tests.ingest_snapshot --dir DIR --out F.json  # the CSV/XLSX exports in DIR instead
    python -m tests.ingest_snapshot --dir DIR --check F.json  # compare DIR's outputs with F.json

tests/test_ingest_snapshot.py compares the fixtures' outputs with the committed file; the changes
made on purpose since it was recorded are listed there, each with the fixture and the value.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import math
import sys
import tempfile
from pathlib import Path

import pandas as pd

SNAPSHOT = Path(__file__).resolve().parent / "data" / "ingest_snapshot.json"


def _cell(v: object) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float):
        return None if math.isnan(v) else repr(v)
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [_cell(x) for x in v]
    if hasattr(v, "tolist") and not isinstance(v, str):  # numpy scalars and arrays
        return _cell(v.tolist())
    return str(v)


def frame(df: pd.DataFrame | None) -> dict | None:
    """A frame as text: column names, dtypes and the values row by row."""
    if df is None:
        return None
    return {
        "columns": [str(c) for c in df.columns],
        "dtypes": [str(t) for t in df.dtypes],
        "values": [[_cell(v) for v in row] for row in df.itertuples(index=False, name=None)],
    }


def digest(obj: object) -> str:
    return hashlib.sha256(json.dumps(obj, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def _survey(survey) -> dict:
    return {
        "format": survey.format,
        "encoding": survey.encoding,
        "value_codes": bool(survey.value_codes),
        "warnings": list(survey.warnings),
        "columns": frame(survey.columns),
        "rows": [int(r) for r in survey.rows],
        "data": frame(survey.data),
    }


def _dataset(ds) -> dict:
    return {
        "answers": frame(ds.answers),
        "items": frame(ds.items),
        "respondents": frame(ds.respondents),
        "attributes": list(ds.attributes),
        "texts": frame(ds.texts),
        "scales": sorted(ds.scales),
        "importance": frame(ds.importance),
        "flags": frame(ds.flags),
        "format": ds.format,
        "encoding": ds.encoding,
        "warnings": list(ds.warnings),
    }


def record(data: bytes, filename: str, codebook: pd.DataFrame | None = None, engine=None, *,
           stored: bool = True) -> dict:
    """Everything ingest makes of one file (an error message where a step refuses it).

    ``engine``: a store to ingest into (the wave is purged again afterwards); default a fresh one.
    ``stored=False`` leaves out the store and the CLI (``stored``, ``summary_json``).
    """
    from analysis import store
    from analysis.__main__ import main as cli
    from analysis.codebook import codebook_to_csv, load_dataset, suggest_codebook
    from analysis.ingest import parse_survey

    out: dict = {"file": filename, "sha256": hashlib.sha256(data).hexdigest()[:16]}
    try:
        survey = parse_survey(data, filename)
    except ValueError as exc:
        out["error"] = str(exc)
        return out
    out["survey"] = _survey(survey)
    out["codebook"] = frame(suggest_codebook(survey))
    try:
        ds = load_dataset(data, filename, codebook=codebook)
    except ValueError as exc:
        out["dataset_error"] = str(exc)
        return out
    out["dataset"] = _dataset(ds)
    if not stored:
        return out
    with tempfile.TemporaryDirectory() as tmp:
        own = engine is None
        if own:
            engine = store.get_engine(f"sqlite:///{tmp}/s.db")
        try:
            res = store.ingest_file(engine, data, filename, codebook=codebook, user="snapshot")
            waves = store.list_waves(engine)
            row = waves.loc[waves["id"] == res.wave_id].iloc[0]
            out["stored"] = {
                "n_responses": int(row["n_responses"]),
                "n_valid": int(row["n_valid"]),
                "format": row["format"],
                "warnings": list(res.warnings),
                "wave": digest(_dataset(store.load_wave(engine, res.wave_id))),
            }
            store.purge_wave(engine, res.wave_id, user="snapshot")
        finally:
            if own:
                store.close_engine(engine)
        path = Path(tmp) / filename
        path.write_bytes(data)
        argv = ["summary", str(path), "--json"]
        if codebook is not None:
            (Path(tmp) / "cb.csv").write_text(codebook_to_csv(codebook), encoding="utf-8")
            argv += ["--codebook", str(Path(tmp) / "cb.csv")]
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            rc = cli(argv)
        out["summary_json"] = json.loads(buf.getvalue()) if rc == 0 else {"exit": rc}
    return out


def _numeric_codebook(data: bytes, filename: str, scale: str, codes: str) -> pd.DataFrame:
    """What a user fills in for a numeric export (as tests/test_platforms.py does)."""
    from analysis.codebook import suggest_codebook
    from analysis.ingest import parse_survey

    cb = suggest_codebook(parse_survey(data, filename))
    cb.loc[cb["label"].str.contains("身份|role", case=False, regex=True), "role"] = "group"
    likert = cb["role"] == "likert"
    cb.loc[likert, "scale"] = scale
    cb.loc[likert, "codes"] = codes
    return cb


def hand_typed() -> dict[str, bytes]:
    """Hand-typed sheets with the messes people make: repeated headers, a total row, spaces in cells,
    durations and times typed every which way (the reason for the snapshot: these changed on purpose)."""
    header = "编号,提交时间,用时,身份,学生公寓满意度,食堂菜品满意度,维修响应满意度,总体满意度,意见建议\n"
    labels = ["很满意", "比较满意", "一般", "不太满意", "很不满意"]
    times = ["2024/9/2 8:00:01", "2024年9月2日 08:00:01", "下午3:00", "2024-09-02 15:04", "2024/9/3 9:15:00"]
    durations = ["125秒", "02:05", "00:04", "1.5分", "1 hour", "90", "2分5秒", "00:01:45", "110", "一刻钟"]
    rows = []
    for i in range(20):
        a = [labels[(i + k) % 5] for k in range(4)]
        rows.append(f"{i + 1},{times[i % 5]},{durations[i % 10]},{'学生' if i % 3 else '教师'},"
                    f" {a[0]} ,{a[1]},{a[2]},{a[3]},{'' if i % 4 else '热水不稳定 '}")
    messy = header + "\n".join(rows[:10]) + "\n" + header + "\n".join(rows[10:]) + "\n合计,,,,,,,,\n"
    return {"hand_typed_messy.csv": ("\ufeff" + messy).encode("utf-8")}


def fixture_files() -> list[tuple[str, bytes, pd.DataFrame | None]]:
    """(name, bytes, codebook) of every fixture the tests write (tests/fixtures*.py) plus the demo."""
    from analysis.demo import demo_waves
    from tests import fixtures
    from tests import fixtures_platforms as fx

    files: list[tuple[str, bytes, pd.DataFrame | None]] = [
        ("fixtures/wjx_text_gbk.csv", fixtures.wjx_text_gbk(), None),
        ("fixtures/generic_utf8_bom.csv", fixtures.generic_utf8_bom(), None),
        ("fixtures/wjx.xlsx", fixtures.wjx_xlsx(), None),
        ("fixtures/wjx.xls", fixtures.wjx_xls(), None),
    ]
    answers = fx.answer_set()
    for lay in fx.LAYOUTS.values():
        data = lay.write(answers)
        cb = _numeric_codebook(data, lay.filename, lay.scale, lay.codes) if lay.codes else None
        files.append((f"platforms/{lay.filename}", data, cb))
    for name, data in hand_typed().items():
        files.append((f"hand/{name}", data, None))
    for w in demo_waves():
        files.append((f"demo/{w.filename}", w.data, None))
    return files


def directory_files(folder: Path) -> list[tuple[str, bytes, pd.DataFrame | None]]:
    return [(p.name, p.read_bytes(), None) for p in sorted(folder.iterdir())
            if p.suffix.lower() in (".csv", ".xlsx", ".xls") and "feedback" not in p.name
            and "taizhang" not in p.name]


def without_times(survey: dict) -> dict:
    """The Survey record without its submission-time and duration columns (the ones read into datetimes
    and seconds since the snapshot was taken; the Dataset's respondents hold what was read from them)."""
    cols = survey["columns"]
    hints = [row[cols["columns"].index("hint")] for row in cols["values"]]
    keep = [i for i, h in enumerate(hints) if h not in ("submitted_at", "duration")]
    data = survey["data"]
    data = {"columns": [data["columns"][i] for i in keep],
            "dtypes": [data["dtypes"][i].replace("object", "str") for i in keep],
            "values": [[row[i] for i in keep] for row in data["values"]]}
    return {**survey, "data": data, "columns": {**cols, "dtypes": None}}


def shorten(rec: dict) -> dict:
    """A large file's record as digests, part by part; the Survey's without its time columns."""
    if "survey" in rec:
        rec = {**rec, "survey": without_times(rec["survey"])}
    return {k: (digest(v) if isinstance(v, dict) else v) for k, v in rec.items()}


def snapshot(files) -> dict:
    out = {}
    for name, data, cb in files:
        rec = record(data, Path(name).name, cb)
        if name.startswith("demo/"):
            rec = shorten(rec)
        out[name] = rec
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", type=Path, help="snapshot the exports in this folder instead of the fixtures")
    ap.add_argument("--out", type=Path, help="where to write (default tests/data/ingest_snapshot.json)")
    ap.add_argument("--check", type=Path, help="compare with this snapshot instead of writing one")
    args = ap.parse_args(argv)
    files = directory_files(args.dir) if args.dir else fixture_files()
    snap = snapshot(files)
    if args.check:
        before = json.loads(args.check.read_text(encoding="utf-8"))
        diffs = compare(before, snap)
        for path, old, new in diffs:
            print(f"{path}: {old!r:.120} -> {new!r:.120}")
        print(f"{len(snap)} files, {len(diffs)} differences")
        return 1 if diffs else 0
    path = args.out or SNAPSHOT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(snap, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(snap)} files)")
    return 0


def compare(before: object, after: object, where: str = "") -> list[tuple[str, object, object]]:
    """Every place where two snapshots differ: ``(path, before, after)``; a missing key is ``"missing"``."""
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for k in sorted(set(before) | set(after)):
            if k not in before or k not in after:
                out.append((f"{where}/{k}", before.get(k, "missing"), after.get(k, "missing")))
            else:
                out += compare(before[k], after[k], f"{where}/{k}")
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        out = []
        for i, (a, b) in enumerate(zip(before, after, strict=True)):
            out += compare(a, b, f"{where}[{i}]")
        return out
    return [] if before == after else [(where, before, after)]


if __name__ == "__main__":
    sys.exit(main())
