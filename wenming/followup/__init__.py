"""复查/返工, 延期 and 申诉: what happens after an issue is rectified, due or scored (docs/followup.md)."""
