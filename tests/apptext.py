"""What an AppTest run shows as text, and picking a sidebar value: shared by the page tests."""
from __future__ import annotations


def texts(at) -> str:
    """Every table cell and header, text element and metric of a run, one per line."""
    out = []
    for df in at.dataframe:
        frame = getattr(df.value, "data", df.value)  # a Styler shows its data
        out += [str(c) for c in frame.columns] + [str(v) for v in frame.astype(str).to_numpy().ravel()]
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader"):
        out += [str(e.value) for e in at.get(kind)]
    out += [f"{m.label} {m.value} {m.proto.help}" for m in at.metric]
    return "\n".join(out)


def pick(at, label: str, value):
    """Set the selectbox labelled `label` and run the page again."""
    next(s for s in at.selectbox if s.label == label).set_value(value).run()
    return at
