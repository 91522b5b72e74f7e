"""Write the submission templates to data/templates/ (python -m wenming templates)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from wenming.core.config import ROOT
from wenming.core.exports import write_table_xlsx
from wenming.ingest.kinds import KINDS

TYPE_LABEL = {"text": "文字", "int": "整数", "number": "数字", "date": "日期（2025-03-05）",
              "datetime": "日期时间（2025-03-05 08:30）", "time": "时间（08:30）", "month": "月份（2025-03）"}


def write_templates(folder: Path = ROOT / "data" / "templates") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS.values():
        header = {(c.label + ("*" if c.required else "")): [c.example if c.example != "" else None]
                  for c in kind.columns}
        guide = pd.DataFrame({
            "列名": [c.label for c in kind.columns],
            "必填": ["是" if c.required else "否" for c in kind.columns],
            "类型": [TYPE_LABEL[c.type] for c in kind.columns],
            "说明与允许取值": [c.help for c in kind.columns],
            "也可写作": ["、".join(c.aliases) for c in kind.columns],
        })
        target = folder / f"{kind.name}模板.xlsx"
        write_table_xlsx(pd.DataFrame(header), target, sheet=kind.name, extra_sheets={"填写说明": guide})
        written.append(target)
    return written


if __name__ == "__main__":
    for path in write_templates():
        print(path)
