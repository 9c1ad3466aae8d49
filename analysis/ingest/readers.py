"""Turn uploaded bytes into a raw grid of strings: CSV (encoding and separator sniffed) or workbook.

The grid keeps every row of the file, header rows included (``header=None``), because some
platforms export two or three header rows; adapters decide what the headers are.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import math
import re
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["RawTable", "read_table", "decode_text", "sniff_separator", "check_xlsx", "MAX_BYTES", "MAX_CELLS", "MAX_COLUMNS"]

MAX_BYTES = 512 * 1024 * 1024
_SEPARATORS = [",", ";", "\t", "|"]
_BLANK_BYTES = re.compile(rb"[ \t\n\r\x0b\x0c]*")  # what bytes.strip() removes


@dataclass
class RawTable:
    """A file as a grid of strings.

    Attributes
    ----------
    frame : all rows of the file (header rows included), columns 0..m-1, values ``str`` or NA.
    encoding : ``utf-8-sig``, ``utf-8``, ``gb18030``, ``utf-16`` or ``xlsx`` / ``xls``.
    separator : the CSV separator, or "" for workbooks.
    kind : ``csv`` or ``excel``.
    warnings : what the reader adjusted (ragged rows padded …).
    """

    frame: pd.DataFrame
    encoding: str
    separator: str
    kind: str
    source_name: str = ""
    warnings: list[str] = field(default_factory=list)
    # Cleaned column samples the layout heuristics share (platforms._common.present_values):
    # format detection asks every adapter about the same columns, and 问卷星's two adapters read
    # the same ~30 matrix columns up to three times. Not part of the table's value.
    _samples: dict = field(default_factory=dict, init=False, repr=False, compare=False)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes the way real Chinese survey files need.

    Order: a BOM (UTF-8 / UTF-16) decides; else strict UTF-8; else GB18030 (a superset of GBK and
    GB2312, what zh-CN Excel writes). Returns ``(text, encoding)``; ValueError when none fits.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8", errors="strict"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    try:
        return data.decode("gb18030", errors="strict"), "gb18030"
    except UnicodeDecodeError:
        line = data.count(b"\n", 0, utf8_error) + 1
        mixed = utf8_error > 64  # a long valid UTF-8 start, then other bytes
        raise ValueError(
            f"无法识别文件编码：第 {line:,} 行（第 {utf8_error:,} 字节）起不是 UTF-8，整个文件也不是 GB18030/GBK"
            + ("；文件前面是 UTF-8、后面换了编码，可能由两个不同编码的文件拼接而成" if mixed else "")
            + "。请用 Excel 或记事本打开后“另存为 → CSV UTF-8”，或把两部分分别另存后再上传。"
            f" Could not decode the file: from line {line:,} (byte {utf8_error:,}) it is not UTF-8, and the whole"
            " file is not GB18030/GBK either"
            + (" — it looks like UTF-8 text followed by text in another encoding (two files joined)" if mixed else "")
            + ". Open it in Excel or Notepad and save as 'CSV UTF-8', or save the parts separately."
        ) from None


def sniff_separator(text: str) -> str:
    """Pick the separator among , ; tab | that splits the first lines most consistently."""
    sample_lines = [ln for ln in text[:65536].splitlines() if ln.strip()][:20]
    if not sample_lines:
        return ","
    best, best_score = ",", (-1, -1)
    for sep in _SEPARATORS:
        try:
            counts = [len(r) for r in csv.reader(sample_lines, delimiter=sep)]
        except csv.Error:
            continue
        if not counts or max(counts) < 2:
            continue
        modal = max(set(counts), key=counts.count)
        score = (counts.count(modal), modal)
        if score > best_score:
            best, best_score = sep, score
    return best


def _cell_text(value: object) -> object:
    """A workbook cell as text: integral floats without '.0', dates ISO, empty → NA."""
    if value is None:
        return pd.NA
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return pd.NA
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(int(value.total_seconds()))
    text = str(value)
    return text if text.strip() != "" else pd.NA


# --- workbook guards (issue 10, finding 6) -------------------------------------------------------------
# A workbook is a zip of XML: a 4.7 KB file can declare a sheet of 16,384 × 1,048,576 cells (calamine
# then tries to allocate ~512 GB and aborts the process) and a few hundred KB can inflate to gigabytes
# of shared strings. Before reading: the declared size of every sheet and the uncompressed size of
# every zip member are checked; then the workbook is parsed in a child process whose address space is
# capped (RLIMIT_AS), so whatever slips through can only end the child, never the server.
MAX_CELLS = 20_000_000  # rows × columns of the sheet read (a 600,000 × 30 export is 18 M)
MAX_COLUMNS = 5_000  # columns of any file (a survey export with more is not a survey; issue 10, finding 7)
XLSX_MAX_UNCOMPRESSED = 2 * 1024**3  # all zip members together
XLSX_MAX_SHARED_STRINGS = 512 * 1024**2
XLSX_MAX_RATIO = 200  # uncompressed ÷ compressed of a member larger than 16 MB uncompressed
READER_MEMORY_MB = 3072  # the child's address-space limit; SURVEY_READER_MEMORY_MB overrides
READER_TIMEOUT_S = 600
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z]{1,3})?(\d+)?(?::([A-Za-z]{1,3})(\d+))?\"")


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def _refused(what_zh: str, what_en: str) -> ValueError:
    return ValueError(
        f"已拒绝此 Excel 文件：{what_zh}。请在 Excel 中删除多余的空行空列（或只保留数据区域）后另存，"
        f"或导出为 CSV 再上传。 The workbook was refused: {what_en}. Delete the stray empty rows/columns "
        "(keep only the data range) and save again, or export as CSV."
    )


def _mb(n: float) -> str:
    return f"{n / 2**20:,.1f} MB"


def check_xlsx(data: bytes) -> None:
    """Refuse a workbook whose zip or declared sheet size is beyond the reader's limits.

    Checks (no XML is parsed): the uncompressed size of all members (``XLSX_MAX_UNCOMPRESSED``), of
    the shared strings (``XLSX_MAX_SHARED_STRINGS``) and each large member's compression ratio
    (``XLSX_MAX_RATIO``, zip bombs); each worksheet's declared ``<dimension ref="A1:XFD1048576">``
    against ``MAX_COLUMNS`` and ``MAX_CELLS``. Raises a bilingual ValueError naming what was refused.
    """
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return  # not a readable zip: calamine's own message (in the child) says the file is broken
    total = sum(i.file_size for i in infos)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise _refused(f"解压后共 {_mb(total)}，超过上限 {_mb(XLSX_MAX_UNCOMPRESSED)}",
                       f"it unpacks to {_mb(total)}, above the limit of {_mb(XLSX_MAX_UNCOMPRESSED)}")
    for info in infos:
        name = info.filename.lower()
        if name.endswith("sharedstrings.xml") and info.file_size > XLSX_MAX_SHARED_STRINGS:
            raise _refused(f"共享字符串解压后 {_mb(info.file_size)}，超过上限 {_mb(XLSX_MAX_SHARED_STRINGS)}",
                           f"its shared strings unpack to {_mb(info.file_size)}, above {_mb(XLSX_MAX_SHARED_STRINGS)}")
        if info.file_size > 16 * 2**20 and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1):
            raise _refused(f"“{info.filename}”压缩比异常（{info.file_size // max(info.compress_size, 1):,} 倍，疑似压缩炸弹）",
                           f"'{info.filename}' inflates {info.file_size // max(info.compress_size, 1):,}× (a zip bomb)")
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            try:
                with archive.open(info) as fh:
                    head = fh.read(65536)
            except Exception:  # noqa: BLE001 — a broken member: the reader's message will say so
                continue
            m = _DIMENSION.search(head)
            if not m or not m.group(3):
                continue
            c0, r0 = _col_number(m.group(1) or b"A"), int(m.group(2) or 1)
            c1, r1 = _col_number(m.group(3)), int(m.group(4))
            cols, rows = abs(c1 - c0) + 1, abs(r1 - r0) + 1
            ref = m.group(0).split(b'"')[1].decode("ascii", "replace")
            if cols > MAX_COLUMNS:
                raise _refused(f"工作表声明的范围 {ref} 有 {cols:,} 列，超过上限 {MAX_COLUMNS:,} 列",
                               f"a sheet declares the range {ref}: {cols:,} columns, above the limit of {MAX_COLUMNS:,}")
            if cols * rows > MAX_CELLS:
                raise _refused(f"工作表声明的范围 {ref} 有 {cols * rows:,} 个单元格，超过上限 {MAX_CELLS:,}",
                               f"a sheet declares the range {ref}: {cols * rows:,} cells, above the limit of {MAX_CELLS:,}")


# The child: reads the workbook from stdin under an address-space limit, writes the first non-empty
# sheet's rows (pickled) to stdout. Self-contained (only python_calamine), so it starts quickly.
_CHILD = r"""
import pickle, resource, sys
limit = int(sys.argv[1]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
max_cells, max_cols = int(sys.argv[2]), int(sys.argv[3])
data = sys.stdin.buffer.read()
out = sys.stdout.buffer
def done(obj):
    pickle.dump(obj, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()
    sys.exit(0)
try:
    from python_calamine import CalamineWorkbook
    import io
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
except MemoryError:
    done(("memory", "", ""))
except Exception as exc:
    done(("open", type(exc).__name__, str(exc)[:120]))
names = list(book.sheet_names)
for name in names:
    try:
        sheet = book.get_sheet_by_name(name)
        h, w = sheet.total_height, sheet.total_width
        if w > max_cols or h * w > max_cells:
            done(("size", name, f"{h}x{w}"))
        rows = sheet.to_python(skip_empty_area=False)
    except MemoryError:
        done(("memory", name, ""))
    except Exception as exc:
        done(("sheet", name, f"{type(exc).__name__}: {str(exc)[:120]}"))
    if any(any(v is not None and (not isinstance(v, str) or v.strip()) for v in r) for r in rows):
        done(("ok", name, (rows, len(names))))
done(("empty", "", ""))
"""


def _memory_mb() -> int:
    import os

    raw = os.environ.get("SURVEY_READER_MEMORY_MB", "").strip()
    return int(raw) if raw.isdigit() and int(raw) >= 256 else READER_MEMORY_MB


def _excel_rows(data: bytes) -> tuple[str, list, int]:
    """Parse a workbook in a memory-capped child process: ``(sheet name, rows, number of sheets)``."""
    import pickle
    import subprocess
    import sys

    limit = _memory_mb()
    try:
        proc = subprocess.run(  # noqa: S603 — our own interpreter and code, the file goes to stdin
            [sys.executable, "-c", _CHILD, str(limit), str(MAX_CELLS), str(MAX_COLUMNS)],
            input=data, capture_output=True, timeout=READER_TIMEOUT_S, check=False,
        )
    except subprocess.TimeoutExpired:
        raise _refused(f"读取超过 {READER_TIMEOUT_S} 秒", f"reading took longer than {READER_TIMEOUT_S} s") from None
    try:
        status, where, payload = pickle.loads(proc.stdout) if proc.returncode == 0 and proc.stdout else ("crash", "", "")
    except Exception:  # noqa: BLE001 — a truncated answer from a child that died while writing
        status, where, payload = "crash", "", ""
    if status == "ok":
        rows, n_sheets = payload
        return where, rows, n_sheets
    if status in ("memory", "crash"):
        raise _refused(f"读取所需内存超过上限 {limit:,} MB（工作表过大或结构异常）",
                       f"reading it needs more than the {limit:,} MB memory limit (a huge or malformed sheet)")
    if status == "size":
        raise _refused(f"工作表“{where}”的范围为 {payload} 个单元格，超过上限（{MAX_CELLS:,} 个单元格、{MAX_COLUMNS:,} 列）",
                       f"sheet '{where}' spans {payload} cells, above the limits ({MAX_CELLS:,} cells, {MAX_COLUMNS:,} columns)")
    if status == "open":
        raise ValueError(
            f"无法打开 Excel 文件（{where}: {payload}）。文件可能已损坏或未上传完整；"
            "请重新下载后上传，或另存为 CSV。 The workbook could not be opened; re-download it or save as CSV."
        )
    if status == "sheet":
        raise ValueError(
            f"无法读取工作表“{where}”（{payload}）。文件可能已损坏或未上传完整；"
            "请重新下载后上传，或另存为 CSV。 A sheet of the workbook could not be read; re-download it or save as CSV."
        )
    raise ValueError("Excel 文件中没有数据。 The workbook has no data in any sheet.")


SMALL_XLSX_BYTES = 16 * 2**20  # uncompressed XML small enough to scan and read in-process
SMALL_XLSX_CELLS = 1_000_000
_CELL_REF = re.compile(rb"<(?:\w+:)?(?:c|row)\b[^>]*?\sr=\"([A-Za-z]{0,3})(\d+)\"")


def _small_xlsx(data: bytes) -> bool:
    """True when every sheet's XML is small and its cells (scanned) span ≤ SMALL_XLSX_CELLS."""
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if sum(i.file_size for i in infos) > SMALL_XLSX_BYTES:
            return False
        for info in infos:
            name = info.filename.lower()
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            xml = archive.read(info)
            m = _DIMENSION.search(xml[:65536])
            if m and m.group(3):
                cols = abs(_col_number(m.group(3)) - _col_number(m.group(1) or b"A")) + 1
                if cols * (abs(int(m.group(4)) - int(m.group(2) or 1)) + 1) > SMALL_XLSX_CELLS:
                    return False
            max_row = max_col = 1
            for letters, digits in _CELL_REF.findall(xml):
                max_row = max(max_row, int(digits))
                if letters:
                    max_col = max(max_col, _col_number(letters))
            # cells without a reference follow the previous one: at most one per 4 bytes of XML
            if max_col * max_row > SMALL_XLSX_CELLS or len(xml) // 4 > SMALL_XLSX_CELLS:
                return False
    except Exception:  # noqa: BLE001 — anything unusual goes to the guarded child
        return False
    return True


def _excel_rows_here(data: bytes) -> tuple[str, list, int]:
    """In-process parse of a small workbook (same answers as the child)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        raise ValueError(
            f"无法打开 Excel 文件（{type(exc).__name__}: {str(exc)[:120]}）。文件可能已损坏或未上传完整；"
            "请重新下载后上传，或另存为 CSV。 The workbook could not be opened; re-download it or save as CSV."
        ) from None
    for name in book.sheet_names:
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:  # a sheet's XML can be corrupt while the archive opened (truncated download)
            raise ValueError(
                f"无法读取工作表“{name}”（{type(exc).__name__}: {str(exc)[:120]}）。文件可能已损坏或未上传完整；"
                "请重新下载后上传，或另存为 CSV。 A sheet of the workbook could not be read; re-download it or save as CSV."
            ) from None
        if any(any(_cell_text(v) is not pd.NA for v in r) for r in rows):
            return name, rows, len(book.sheet_names)
    raise ValueError("Excel 文件中没有数据。 The workbook has no data in any sheet.")


def _read_excel(data: bytes, kind: str) -> tuple[pd.DataFrame, list[str]]:
    """A workbook's first non-empty sheet as a grid: checked (:func:`check_xlsx`), then read
    in-process when small and plain, else in the memory-capped child (:func:`_excel_rows`)."""
    if kind == "xlsx":
        check_xlsx(data)
    small = kind == "xlsx" and _small_xlsx(data) or kind == "xls" and len(data) <= 2 * 2**20
    name, rows, n_sheets = (_excel_rows_here if small else _excel_rows)(data)
    warnings: list[str] = []
    if n_sheets > 1:
        warnings.append(f"工作簿有多个工作表，读取了第一个非空工作表“{name}”。 Read sheet '{name}'.")
    width = max(len(r) for r in rows)
    grid = [[_cell_text(v) for v in r] + [pd.NA] * (width - len(r)) for r in rows]
    return pd.DataFrame(grid, dtype="object"), warnings


def _arrow_frame(
    body: bytes, sep: str, head: str, *, has_cr: bool | None = None, has_quote: bool | None = None
) -> pd.DataFrame:
    """Parse UTF-8 CSV bytes with pyarrow into a grid of str (NA for empty); raises on ragged rows.

    ``body`` may be any buffer (``pyarrow.Buffer`` slices avoid copying the file); ``has_cr`` and
    ``has_quote`` say whether it contains ``\\r`` and ``"`` (searched here when None).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    first = next(csv.reader(io.StringIO(head), delimiter=sep), [])
    names = [f"c{i}" for i in range(len(first))]
    if has_quote is None:
        has_quote = b'"' in bytes(body)
    table = pacsv.read_csv(
        pa.BufferReader(body),
        # default block size: several blocks parse in parallel (larger blocks were slower; bench/RESULTS.md)
        read_options=pacsv.ReadOptions(column_names=names),
        # A line break inside a value needs quotes around it (no escape character is set), so a
        # file without any '"' cannot have one: then the blocks are split at line ends and parsed
        # in parallel, about twice as fast as the quote-aware splitting (bench/RESULTS.md, "Fast paths").
        parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=has_quote),
        convert_options=pacsv.ConvertOptions(
            # large_string is what pandas' str dtype holds: reading it directly saves a cast of
            # every column in to_pandas; same values
            column_types={n: pa.large_string() for n in names},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    if has_cr is None:
        has_cr = b"\r" in bytes(body)
    if has_cr:  # line breaks inside quoted values: \r\n and \r become \n, as in the text path
        cols = []
        for col in table.columns:
            if pc.any(pc.match_substring(col, "\r")).as_py():
                col = pc.replace_substring(pc.replace_substring(col, "\r\n", "\n"), "\r", "\n")
            cols.append(col)
        table = pa.table(cols, names=names)
    frame = table.to_pandas()
    frame.columns = range(frame.shape[1])
    return frame


def _read_csv_utf8_fast(data: bytes, name: str) -> tuple[pd.DataFrame, str, str] | None:
    """UTF-8 files straight into pyarrow, skipping decode + re-encode (bench/RESULTS.md, "Fast paths").

    Returns ``(frame, encoding, separator)`` or None when the file is not plainly UTF-8 or pyarrow
    cannot parse it; the caller then takes the general text path (same result, slower).
    """
    import pyarrow as pa

    if data.startswith(codecs.BOM_UTF8):
        start, encoding = len(codecs.BOM_UTF8), "utf-8-sig"
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return None
    else:
        start, encoding = 0, "utf-8"
    body = pa.py_buffer(data).slice(start)  # zero-copy: slicing the bytes copied the whole file
    try:  # a GB18030 file fails here at once, before any parsing
        head = codecs.getincrementaldecoder("utf-8")("strict").decode(data[start : start + 1_000_000], final=False)
    except UnicodeDecodeError:
        return None
    head = head.replace("\r\n", "\n").replace("\r", "\n")
    sep = "\t" if name.endswith((".tsv", ".tab")) else sniff_separator(head)
    try:
        frame = _arrow_frame(  # validates UTF-8 throughout
            body, sep, head, has_cr=data.find(b"\r", start) >= 0, has_quote=data.find(b'"', start) >= 0
        )
    except Exception:  # invalid UTF-8 further on, ragged rows, odd quoting
        return None
    return frame, encoding, sep


def _read_csv_text(text: str, sep: str) -> tuple[pd.DataFrame, list[str]]:
    """Parse CSV text into a padded grid; pyarrow first (fast), the csv module for ragged files."""
    warnings: list[str] = []
    try:
        return _arrow_frame(text.encode("utf-8"), sep, text[:1_000_000]), warnings
    except Exception:  # ragged rows or odd quoting: fall back to the tolerant reader below
        pass
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    except csv.Error as exc:
        raise ValueError(f"CSV 格式错误：{exc}。请检查引号是否成对。 Malformed CSV: {exc}.") from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ValueError("文件中没有数据行。 The file has no rows.")
    width = max(len(r) for r in rows)
    if any(len(r) != width for r in rows):
        warnings.append("部分行的列数不一致，已用空值补齐。 Some rows had fewer fields and were padded.")
    grid = [[c if c != "" else pd.NA for c in r] + [pd.NA] * (width - len(r)) for r in rows]
    return pd.DataFrame(grid, dtype="object"), warnings


def read_table(data: bytes, filename: str = "") -> RawTable:
    """Read CSV / TSV / XLSX / XLS bytes into a :class:`RawTable`.

    Raises
    ------
    ValueError
        With a message saying what was tried and what to do (empty file, unknown binary format,
        undecodable text, broken workbook, too large).
    """
    if not data or _BLANK_BYTES.fullmatch(data):  # = not data.strip(), without copying the file
        raise ValueError("文件为空。请确认导出完整后重新上传。 The file is empty.")
    if len(data) > MAX_BYTES:
        raise ValueError(f"文件超过 {MAX_BYTES // 2**20} MB 上限。 The file is larger than the limit.")
    name = filename.lower()
    warnings: list[str] = []
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        kind_name = "xls" if data[:4] != b"PK\x03\x04" else "xlsx"
        frame, warnings = _read_excel(data, kind_name)
        encoding, sep, kind = kind_name, "", "excel"
    else:
        if b"\x00" in data[:4096] and not (data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE)):
            raise ValueError(
                "这不是 CSV 或 Excel 文件（含二进制内容）。请上传问卷平台导出的 .csv / .xlsx / .xls 文件。"
                " This is not a CSV or Excel file."
            )
        if name.endswith((".xlsx", ".xls")):
            # 问卷星 sometimes serves HTML or text under an .xls name; read it as text if we can.
            warnings.append("扩展名为 Excel，但内容是文本，已按 CSV 读取。 Read an .xls/.xlsx name as text.")
        fast = _read_csv_utf8_fast(data, name)
        if fast is not None:
            frame, encoding, sep = fast
        else:
            text, encoding = decode_text(data)
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            sep = "\t" if name.endswith((".tsv", ".tab")) else sniff_separator(text)
            frame, more = _read_csv_text(text, sep)
            warnings += more
        kind = "csv"
    if frame.shape[1] > MAX_COLUMNS:
        raise ValueError(
            f"文件有 {frame.shape[1]:,} 列，超过上限 {MAX_COLUMNS:,} 列；这不像问卷导出文件。请只导出问卷题目所在的列，"
            f"或检查分隔符是否正确。 The file has {frame.shape[1]:,} columns, above the limit of {MAX_COLUMNS:,}; "
            "export only the survey's columns, or check the separator."
        )
    frame = _drop_blank_edges(frame)
    if frame.empty:
        raise ValueError("文件中没有数据。 The file contains no data.")
    return RawTable(frame=frame, encoding=encoding, separator=sep, kind=kind, source_name=filename, warnings=warnings)


def _drop_blank_edges(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop rows and columns that are entirely empty (Excel's stray blank rows/columns, trailing commas)."""
    blank = frame.isna()
    keep_rows = ~blank.all(axis=1)
    keep_cols = ~blank.all(axis=0)
    # keep a trailing empty column only if it has a header (an open-text question nobody answered)
    if len(frame) and not keep_cols.all():
        header = frame.iloc[0]
        keep_cols = keep_cols | header.notna()
    out = frame.loc[keep_rows.to_numpy(), keep_cols.to_numpy()]
    out.columns = range(out.shape[1])
    return out.reset_index(drop=True)
