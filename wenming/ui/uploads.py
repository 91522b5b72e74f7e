"""The upload box's own checks, in Chinese: which files are taken, the size limit, and the CSS
that replaces the English words of Streamlit's dropzone."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# what the importer reads (.xlsm: the data only, its macros are never run; .xls, .xlsb and .ods
# through calamine; .txt/.tsv as Excel's "Unicode 文本"); everything else is refused here, unread
ACCEPTED = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".txt", ".tsv", ".geojson", ".json")

# Only the dropzone's own button (stBaseButton-secondary) is relabelled: the chips of chosen files
# and the "+" button sit in the dropzone too, and keep their icons (their English aria-labels, the
# size refusal and "Upload failed" are put in Chinese by wenming.ui.chinese).
DROPZONE_CSS = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] {
  display: none; }
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"]::after { content: "选择文件"; font-size: 14px; }
[data-testid="stFileUploaderDropzone"]::before { content: "把文件拖到这里，或"; font-size: 14px; opacity: .7;
                                                 margin-right: .5rem; }
[data-testid="stFileUploaderDropzone"]:has([data-testid="stFileChips"])::before { content: none; }
</style>"""


@dataclass
class Refused:
    """An upload refused before reading; shaped like an import result for the page's list."""
    file_name: str
    message: str
    outcome: str = "rejected"
    problems: list = field(default_factory=list)
    submission_id: int | None = None


def hint(max_mb: int) -> str:
    return (f"可上传 Excel（.xlsx、.xlsm 只读取数据、宏不会运行，旧版 .xls、.xlsb）、WPS/LibreOffice 的 .ods、"
            f".csv 或 Unicode 文本 .txt，以及边界 .geojson；单个文件不超过 {max_mb} MB，可多选。")


def refusal(name: str, size: int, max_mb: int) -> Refused | None:
    """Why a file is refused unread (type, then size), or None when it goes to the importer."""
    suffix = Path(name).suffix.lower()
    if suffix not in ACCEPTED:
        shown = suffix or "无扩展名"
        return Refused(name, f"不支持的文件类型「{shown}」：请报送 Excel（.xlsx、.xls）、.ods、.csv 或边界 .geojson 文件。未导入任何数据。")
    if size > max_mb * 1024 * 1024:
        return Refused(name, f"文件大小 {size / 1024 / 1024:.1f} MB，超过单个文件 {max_mb} MB 的上限："
                             "请按月份或社区拆分成几个文件分别报送。未导入任何数据。")
    return None
