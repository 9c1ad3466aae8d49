"""Reading a corrective-action register (整改台账 / 整改任务清单) as offices keep it in Excel.

Headers vary from office to office, so each field has a list of synonyms (``REGISTER_COLUMNS``):
序号/编号, 存在问题/问题描述, 整改措施, 责任部门/牵头部门, 责任人, 整改目标, 完成时限/整改时限,
完成情况/进展情况/状态, 完成日期, 佐证材料/备注 … The header row is the first row (of the first 10)
that names at least three fields including the problem; rows above it (a title such as
"后勤服务中心2025年整改任务清单") are skipped. Dates may be Excel dates, Excel serial numbers or
typed ("2025年9月1日", "2025/9/1", "2025.9"). Targets are parsed by
:func:`analysis.actions.parse_target`; a target that cannot be read, or that names no item or
area, is reported for the manager to fix — never guessed.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.actions import match_item, parse_status, parse_target

__all__ = ["REGISTER_COLUMNS", "RegisterRow", "Register", "read_register", "parse_date", "resolve_targets",
           "choose_series", "register_targets"]

# field → header synonyms (compared after NFKC, without spaces and punctuation)
REGISTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "register_no": ("序号", "编号", "序", "no", "no.", "#"),
    "problem": ("存在问题", "问题", "问题描述", "问题清单", "主要问题", "存在的问题", "问题表现", "problem", "issue"),
    "measure": ("整改措施", "措施", "具体措施", "整改举措", "整改内容", "measure", "action"),
    "department": ("责任部门", "牵头部门", "责任单位", "牵头单位", "部门", "department"),
    "owner": ("责任人", "负责人", "牵头领导", "具体责任人", "owner", "responsible"),
    "target_text": ("整改目标", "目标", "预期目标", "整改要求", "target", "goal"),
    "deadline": ("完成时限", "时限", "整改时限", "完成时间", "截止时间", "计划完成时间", "deadline", "due"),
    "status": ("完成情况", "状态", "进展情况", "整改情况", "整改进度", "进度", "进展", "status", "progress"),
    "completed_on": ("完成日期", "实际完成时间", "实际完成日期", "销号日期", "completed", "completion date", "completed on"),
    "evidence": ("佐证材料", "整改成效", "备注", "说明", "evidence", "notes", "remark", "remarks"),
    "kind": ("整改类型", "类型", "类别", "kind"),
    "source": ("问题来源", "来源", "source"),
}


def _key(text: object) -> str:
    t = unicodedata.normalize("NFKC", str(text or "")).lower()
    return "".join(ch for ch in t if ch.isalnum() or ch in "#")


_HEADER_INDEX = {_key(s): f for f, syn in REGISTER_COLUMNS.items() for s in syn}


def _missing(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and not v.strip()


_EXCEL_EPOCH = _dt.date(1899, 12, 30)


def parse_date(value: object) -> _dt.date | None:
    """A date from a register cell: a datetime/date, an Excel serial number (1900 system), or typed
    text ``2025-06-30``, ``2025/6/30``, ``2025.6.30``, ``2025年6月30日``, ``2025年9月`` (the month's
    last day: a deadline "by September"), ``2025-09``. None when it is not a date."""
    if _missing(value):
        return None
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        return None if pd.isna(value) else value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < float(value) < 80000:  # 1954 … 2119 as Excel serials
            return _EXCEL_EPOCH + _dt.timedelta(days=int(value))
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = re.fullmatch(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?",
                     text)
    try:
        if m:
            return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.fullmatch(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*月?(?:底|末)?", text)
        if m:
            y, mo = int(m.group(1)), int(m.group(2))
            nxt = _dt.date(y + (mo == 12), mo % 12 + 1, 1)
            return nxt - _dt.timedelta(days=1)
        m = re.fullmatch(r"((?:19|20)\d\d)\s*年?(?:底|末)", text)
        if m:
            return _dt.date(int(m.group(1)), 12, 31)
    except ValueError:
        return None
    return None


@dataclass
class RegisterRow:
    """One register line: the action's fields (``analysis.store.actions.ACTION_FIELDS``) and what
    needs the manager's attention (``problems``: bilingual messages; empty when ready)."""

    line: int  # 1-based row number in the sheet
    fields: dict
    problems: list[str] = field(default_factory=list)

    @property
    def target_ok(self) -> bool:
        return not self.problems


@dataclass
class Register:
    sheet: str
    header_row: int  # 1-based
    columns: dict  # field → header as written
    rows: list[RegisterRow]
    warnings: list[str] = field(default_factory=list)

    @property
    def unparsed(self) -> list[RegisterRow]:
        return [r for r in self.rows if r.problems]

    def records(self, series_id: object = None) -> list[dict]:
        """Store-ready fields (``analysis.store.import_actions``) of every row that states a problem.

        A row whose target needs fixing is imported without a parsed target (its typed
        ``target_text`` is kept, so the board shows what to fix).
        """
        out = []
        for r in self.rows:
            f = dict(r.fields)
            if not f.get("problem"):
                continue
            if r.problems:
                for k in ("target_kind", "target_key", "target_label", "target_rate", "target_change"):
                    f.pop(k, None)
            out.append({**f, "series_id": series_id, "origin": "import"})
        return out

    def table(self) -> pd.DataFrame:
        """The rows as a frame for display: line, the fields, and ``problems`` joined by "；"."""
        recs = [{"line": r.line, **r.fields, "problems": "；".join(r.problems)} for r in self.rows]
        return pd.DataFrame(recs)


def _find_header(grid: list[list[object]]) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(grid[:10]):
        found: dict[str, int] = {}
        for j, cell in enumerate(row):
            f = _HEADER_INDEX.get(_key(cell))
            if f is not None and f not in found:
                found[f] = j
        if "problem" in found and len(found) >= 3:
            return i, found
    return None


def _grid(data: bytes, filename: str) -> tuple[str, list[list[object]]]:
    name = filename.lower()
    if name.endswith((".csv", ".txt")):
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValueError("无法识别文件编码（请另存为 UTF-8 或 Excel）。 Cannot decode the file.")
        df = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False)
        return Path(filename).stem, df.values.tolist()
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not xlsx
        raise ValueError(f"无法读取 Excel 文件（{type(exc).__name__}）；请上传 .xlsx 台账。 Not a readable .xlsx file.") from None
    try:
        for ws in wb.worksheets:
            grid = [list(r) for r in ws.iter_rows(values_only=True)]
            if _find_header(grid) is not None:
                return ws.title, grid
        first = wb.worksheets[0]
        return first.title, [list(r) for r in first.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_register(data: bytes, filename: str = "register.xlsx") -> Register:
    """Read a register workbook (or CSV) into rows of action fields.

    Returns
    -------
    Register
        ``rows`` one per non-empty line below the header; each row's ``fields`` has ``problem``,
        ``measure``, ``owner``, ``department``, ``register_no``, ``target_text`` and, when read,
        ``target_kind/key/label/rate/change``, ``deadline``, ``status`` (``planned`` when the column
        is absent or blank), ``completed_on``, ``evidence``, ``kind``; ``problems`` lists what the
        manager must fix (unreadable target, unknown status, date that is not a date, a done action
        without any date). Raises ValueError when no header row with 存在问题/问题描述 is found.
    """
    sheet, grid = _grid(data, filename)
    found = _find_header(grid)
    if found is None:
        raise ValueError("找不到表头：需要一行包含「存在问题/问题描述」及「整改措施」「责任人」「整改目标」等列。 "
                         "No header row with a problem column and at least two other register columns.")
    hi, cols = found
    header = grid[hi]
    reg = Register(sheet=sheet, header_row=hi + 1, columns={f: str(header[j]) for f, j in cols.items()}, rows=[])
    if "target_text" not in cols:
        reg.warnings.append("台账没有「整改目标」列：事项将没有量化目标。 No target column: actions get no target.")
    for i, row in enumerate(grid[hi + 1:], start=hi + 2):
        cells = {f: (row[j] if j < len(row) else None) for f, j in cols.items()}
        if all(_missing(v) for v in cells.values()):
            continue
        reg.rows.append(_row(i, cells))
    if not reg.rows:
        reg.warnings.append("表头下没有事项。 No actions below the header.")
    return reg


def _text(v: object) -> str | None:
    if _missing(v):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _row(line: int, cells: dict) -> RegisterRow:
    f: dict = {k: _text(cells.get(k)) for k in ("register_no", "problem", "measure", "department", "owner",
                                              "evidence", "source", "target_text")}
    out = RegisterRow(line=line, fields={k: v for k, v in f.items() if v is not None})
    fields = out.fields
    if not fields.get("problem"):
        out.problems.append(f"第{line}行没有填写存在问题，不导入。 Row {line}: no problem stated; not imported.")
    raw_status = cells.get("status")
    if _missing(raw_status):
        fields["status"] = "planned"
    else:
        try:
            fields["status"] = parse_status(raw_status)
        except ValueError as exc:
            fields["status"] = "planned"
            out.problems.append(f"第{line}行：{exc}")
    if not _missing(cells.get("kind")):
        from analysis.actions import parse_kind

        try:
            fields["kind"] = parse_kind(cells["kind"])
        except ValueError as exc:
            out.problems.append(f"第{line}行：{exc}")
    for k, zh in (("deadline", "完成时限"), ("completed_on", "完成日期")):
        v = cells.get(k)
        if _missing(v):
            continue
        d = parse_date(v)
        if d is None:
            out.problems.append(f"第{line}行{zh}「{v}」不是日期。 Row {line}: '{v}' is not a date.")
        else:
            fields[k] = d
    if fields["status"] != "done":
        fields.pop("completed_on", None)
    elif "completed_on" not in fields and "deadline" not in fields:
        out.problems.append(f"第{line}行已完成但没有完成日期或时限，无法确定验证批次。 "
                            f"Row {line}: done but no completion date or deadline.")
    parsed = parse_target(fields.get("target_text"))
    if parsed.ok:
        t = parsed.target
        fields.update(target_kind=t.kind or None, target_key=t.key or None, target_label=t.label or None,
                      target_rate=t.rate, target_change=t.change_pp)
        if not t.kind:
            out.problems.append(f"第{line}行目标「{fields['target_text']}」未写明题目或服务领域（如「维修满意率≥85%」）。 "
                                f"Row {line}: the target names no item or service area.")
    elif not parsed.empty:
        out.problems.append(f"第{line}行：{parsed.reason}")
    return out


def resolve_targets(register: Register, items: list[str], areas: list[str]) -> list[str]:
    """Match item targets to the item labels of a series (``报修渠道`` → ``报修渠道便捷``) and report
    targets that series does not measure; changes ``register.rows`` in place, returns the messages."""
    msgs = []
    item_set = list(items)
    for r in register.rows:
        f = r.fields
        kind, key = f.get("target_kind"), f.get("target_key")
        if not kind or not key:
            continue
        if kind == "item":
            label = match_item(key, item_set)
            if label is None:
                msg = (f"第{r.line}行目标题目「{key}」不在该系列的问卷中，请改为问卷中的题目或服务领域。 "
                       f"Row {r.line}: item '{key}' is not in this series' questionnaires.")
                r.problems.append(msg)
                msgs.append(msg)
            else:
                f["target_key"] = label
                f.setdefault("items", [label])
        elif key not in areas:
            msg = (f"第{r.line}行目标领域「{f.get('target_label') or key}」在该系列中没有题目。 "
                   f"Row {r.line}: the series has no items in area '{key}'.")
            r.problems.append(msg)
            msgs.append(msg)
    return msgs


def _measured(targets: list[tuple[str, str]], items: list[str], areas: list[str]) -> int:
    n = 0
    for kind, key in targets:
        if kind == "item" and key and match_item(key, items) is not None:
            n += 1
        elif kind == "area" and key in areas:
            n += 1
    return n


def register_targets(register: Register) -> list[tuple[str, str]]:
    """``(kind, key)`` of every parsed target of the register (item or area named)."""
    return [(r.fields["target_kind"], r.fields["target_key"]) for r in register.rows
            if r.fields.get("target_kind") and r.fields.get("target_key")]


def choose_series(targets: list[tuple[str, str]] | Register, catalog: pd.DataFrame
                  ) -> tuple[object | None, pd.DataFrame]:
    """The series whose waves measure the targets (a register's, or ``(kind, key)`` pairs).

    ``catalog`` is ``analysis.store.series_catalog``. Returns ``(series_id, scores)``: the one series
    measuring the most targets, or the only series; ``None`` when several fit equally (or none
    does and there are several) — the caller then refuses and lists ``scores``
    (``series_id, series_name, n_waves, n_targets_measured``, best first).
    """
    if isinstance(targets, Register):
        targets = register_targets(targets)
    scores = catalog.assign(n_targets_measured=[
        _measured(targets, list(it), list(ar)) for it, ar in zip(catalog["items"], catalog["areas"], strict=True)])
    scores = scores[["series_id", "series_name", "n_waves", "n_targets_measured"]]
    scores = scores.sort_values("n_targets_measured", ascending=False, kind="stable").reset_index(drop=True)
    if len(scores) == 1:
        return scores["series_id"].iloc[0], scores
    if not len(scores):
        return None, scores
    best = scores["n_targets_measured"].max()
    top = scores[scores["n_targets_measured"] == best]
    if best > 0 and len(top) == 1:
        return top["series_id"].iloc[0], scores
    return None, scores
